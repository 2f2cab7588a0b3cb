package dev.interactions.server;

import static dev.interactions.server.TestServer.bearer;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interactions.transport.auth.TestTokens;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Quorum over real WebSockets, with auth on: approvers are told apart by their token's subject. See {@code
 * docs/PROTOCOL.md}, "Quorum".
 */
class QuorumContractTest {

  private static final String SECRET = TestTokens.SECRET;
  private static final String REQUESTER = TestTokens.requester(SECRET, "backend");

  private static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.startWithJwt();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void twoDistinctSubjectsCompleteItWithBothAnswersAndEveryDeviceSeesTheProgress() {
    try (WsClient alice = device("quorum", "alice");
        WsClient bob = device("quorum", "bob")) {
      server.awaitConnections("quorum", 2, bearer(REQUESTER));
      String id = create("quorum").path("id").asText();
      alice.next("interaction");
      bob.next("interaction");

      alice.send("{\"type\":\"answer\",\"id\":\"" + id + "\",\"value\":{\"by\":\"alice\"}}");
      alice.next("ack");
      JsonNode progress = bob.next("progress");
      assertEquals(1, progress.path("approvals").asInt(), progress.toString());
      assertEquals(2, progress.path("required").asInt());
      assertEquals("pending", read("quorum", id).path("status").asText(), "one approval of two");
      alice.send("{\"type\":\"answer\",\"id\":\"" + id + "\",\"value\":{\"by\":\"alice again\"}}");
      alice.next("progress");
      alice.next("ack"); // the same subject again: nothing changes
      bob.send("{\"type\":\"answer\",\"id\":\"" + id + "\",\"value\":{\"by\":\"bob\"}}");
      bob.next("ack");

      JsonNode closed = read("quorum", id);
      assertEquals("answered", closed.path("status").asText(), closed.toString());
      assertEquals("[{\"by\":\"alice\"},{\"by\":\"bob\"}]", closed.path("value").toString());
      List<String> approvers = new ArrayList<>();
      closed.path("audit").path("approvals").forEach(approval -> approvers.add(approval.path("subject").asText()));
      assertEquals(List.of("alice", "bob"), approvers);
    }
  }

  @Test
  void aRejectionIsAVetoThatClosesItAtOnce() {
    try (WsClient alice = device("veto", "alice");
        WsClient carol = device("veto", "carol")) {
      server.awaitConnections("veto", 2, bearer(REQUESTER));
      String id = create("veto").path("id").asText();
      alice.next("interaction");
      carol.next("interaction");
      alice.send("{\"type\":\"answer\",\"id\":\"" + id + "\",\"value\":true}");
      alice.next("ack");
      carol.next("progress");

      carol.send("{\"type\":\"reject\",\"id\":\"" + id + "\",\"reason\":\"not on a Friday\"}");
      carol.next("ack");

      JsonNode closed = read("veto", id);
      assertEquals("rejected", closed.path("status").asText(), closed.toString());
      assertEquals("not on a Friday", closed.path("reason").asText());
      assertEquals(400, server.post("/v1/sessions/veto/interactions", body(",\"approvals\":{\"required\":0}"), bearer(REQUESTER)).status());
    }
  }

  // --- steps ---------------------------------------------------------------------------------------------------------

  private static WsClient device(String sessionId, String subject) {
    WsClient device =
        WsClient.connect(
            server.ws("/v1/sessions/" + sessionId + "/ws"),
            "Authorization",
            "Bearer " + TestTokens.client(SECRET, subject, sessionId));
    device.next("welcome");
    device.next("synced");
    return device;
  }

  private static String body(String more) {
    return "{\"kind\":\"approve\",\"payload\":{},\"timeoutMs\":60000" + more + "}";
  }

  private static JsonNode create(String sessionId) {
    TestServer.Reply reply =
        server.post("/v1/sessions/" + sessionId + "/interactions", body(",\"approvals\":{\"required\":2}"), bearer(REQUESTER));
    assertEquals(201, reply.status(), reply.toString());
    return reply.body();
  }

  private static JsonNode read(String sessionId, String id) {
    return server.get("/v1/sessions/" + sessionId + "/interactions/" + id, bearer(REQUESTER)).body();
  }
}
