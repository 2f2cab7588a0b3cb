package dev.interactions.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.interactions.client.Device;
import dev.interactions.client.InteractionRequest;
import dev.interactions.client.InteractionState;
import dev.interactions.client.InteractionsClient;
import dev.interactions.client.RefusedException;
import dev.interactions.protocol.Audit;
import dev.interactions.protocol.ServerMessage;
import dev.interactions.transport.auth.TestTokens;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Quorum over real WebSockets, with auth on: approvers are told apart by their token's subject. See {@code
 * docs/PROTOCOL.md}, "Quorum". Requesters and devices are the Java client's.
 */
class QuorumContractTest {

  private static final String SECRET = TestTokens.SECRET;
  private static final String REQUESTER = TestTokens.requester(SECRET, "backend");

  private static TestServer server;
  private static InteractionsClient client;

  @BeforeAll
  static void start() {
    server = TestServer.startWithJwt();
    client = InteractionsClient.builder(server.http("")).token(() -> REQUESTER).build();
  }

  @AfterAll
  static void stop() {
    client.close();
    server.close();
  }

  @Test
  void twoDistinctSubjectsCompleteItWithBothAnswersAndEveryDeviceSeesTheProgress() throws Exception {
    try (Device alice = device("quorum", "alice");
        Device bob = device("quorum", "bob")) {
      DeviceReports aliceSees = DeviceReports.connected(alice);
      DeviceReports bobSees = DeviceReports.connected(bob);
      String id = create("quorum").id();
      aliceSees.next(ServerMessage.Interaction.class);
      bobSees.next(ServerMessage.Interaction.class);

      acknowledged(alice.answer(id, Map.of("by", "alice")));
      ServerMessage.Progress progress = bobSees.next(ServerMessage.Progress.class);
      assertEquals(1, progress.approvals(), progress.toString());
      assertEquals(2, progress.required());
      assertEquals("pending", read("quorum", id).status(), "one approval of two");
      acknowledged(alice.answer(id, Map.of("by", "alice again"))); // the same subject again: nothing changes
      aliceSees.next(ServerMessage.Progress.class);
      acknowledged(bob.answer(id, Map.of("by", "bob")));

      InteractionState closed = read("quorum", id);
      assertEquals("answered", closed.status(), closed.toString());
      assertEquals("[{\"by\":\"alice\"},{\"by\":\"bob\"}]", closed.value().orElseThrow().text());
      List<String> approvers = closed.audit().orElseThrow().approvals().stream().map(Audit::subject).toList();
      assertEquals(List.of("alice", "bob"), approvers);
      aliceSees.next(ServerMessage.Closed.class); // after any progress the repeated approval could have caused
      assertEquals(List.of(), aliceSees.left(ServerMessage.Progress.class), "no progress for the repeated approval");
    }
  }

  @Test
  void aRejectionIsAVetoThatClosesItAtOnce() throws Exception {
    try (Device alice = device("veto", "alice");
        Device carol = device("veto", "carol")) {
      DeviceReports aliceSees = DeviceReports.connected(alice);
      DeviceReports carolSees = DeviceReports.connected(carol);
      String id = create("veto").id();
      aliceSees.next(ServerMessage.Interaction.class);
      carolSees.next(ServerMessage.Interaction.class);
      acknowledged(alice.answer(id, true));
      carolSees.next(ServerMessage.Progress.class);

      acknowledged(carol.reject(id, "not on a Friday"));

      InteractionState closed = read("veto", id);
      assertEquals("rejected", closed.status(), closed.toString());
      assertEquals("not on a Friday", closed.reason().orElseThrow());
      CompletionException refused =
          assertThrows(CompletionException.class, () -> client.requester().create("veto", request().approvals(0).build()).join());
      assertEquals(400, assertInstanceOf(RefusedException.class, refused.getCause()).httpStatus().getAsInt());
    }
  }

  // --- steps ---------------------------------------------------------------------------------------------------------

  private static Device device(String sessionId, String subject) {
    String token = TestTokens.client(SECRET, subject, sessionId);
    return client.device(sessionId, () -> token);
  }

  private static InteractionRequest.Builder request() {
    return InteractionRequest.builder("approve", Map.of()).timeout(Duration.ofMinutes(1));
  }

  private static InteractionState create(String sessionId) throws Exception {
    InteractionState created = client.requester().create(sessionId, request().approvals(2).build()).get(30, TimeUnit.SECONDS);
    assertEquals("pending", created.status(), created.toString());
    return created;
  }

  private static InteractionState read(String sessionId, String id) throws Exception {
    return client.requester().get(sessionId, id).get(30, TimeUnit.SECONDS);
  }

  private static void acknowledged(CompletableFuture<ServerMessage.Ack> reply) throws Exception {
    reply.get(30, TimeUnit.SECONDS);
  }
}
