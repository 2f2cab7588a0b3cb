package dev.interactions.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.interactions.api.ClientHandle;
import dev.interactions.api.Orchestrator;
import dev.interactions.api.RecordingListener;
import dev.interactions.core.ClusterSettings;
import dev.interactions.core.InteractionOutcome;
import dev.interactions.core.InteractionRequest;
import dev.interactions.persistence.JdbcStore;
import dev.interactions.protocol.RawJson;
import dev.interactions.protocol.ServerMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Leave;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three cluster nodes in one JVM on one journal (an in-memory H2 database all of them share), every message between
 * them serialized as it would be on the wire: a client on one node, a requester on another, the session on the third.
 */
class ThreeNodeClusterTest {

  private static final long WAIT_SECONDS = 60;
  private static final RawJson YES = RawJson.parse("value", "{\"approved\":true}");

  private final String database = "jdbc:h2:mem:cluster-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
  private final List<Node> nodes = new ArrayList<>();

  /** One node: its actor system (a test kit, so that it can be stopped) and its orchestrator. */
  private record Node(ActorTestKit kit, Orchestrator orchestrator) {
    ActorSystem<?> system() {
      return kit.system();
    }

    String hostPort() {
      Address address = system().address();
      return address.getHost().get() + ":" + address.getPort().get();
    }
  }

  @BeforeEach
  void startThreeNodes() throws Exception {
    Node first = start(List.of());
    nodes.add(first);
    Address seed = first.system().address();
    nodes.add(start(List.of(seed.toString())));
    nodes.add(start(List.of(seed.toString())));
    for (Node node : nodes) {
      node.kit()
          .createTestProbe()
          .awaitAssert(
              Duration.ofSeconds(WAIT_SECONDS),
              () -> {
                long up = 0;
                for (var member : Cluster.get(node.system()).state().getMembers()) {
                  up += member.status() == MemberStatus.up() ? 1 : 0;
                }
                assertEquals(3, up, "members up");
                return null;
              });
    }
  }

  @AfterEach
  void stopNodes() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).kit().shutdownTestKit();
    }
  }

  private Node start(List<String> seedNodes) throws Exception {
    Config config =
        ConfigFactory.parseString(
                """
                orchestrator.persistence.store = jdbc
                orchestrator.persistence.jdbc.url = "%s"
                orchestrator.persistence.jdbc.retention.sweep-interval = 1h
                pekko.remote.artery.canonical.port = 0
                pekko.actor.serialize-messages = on
                pekko.actor.no-serialization-verification-needed-class-prefix = ["org.apache.pekko.", "dev.interactions.api."]
                pekko.cluster.split-brain-resolver.stable-after = 5s
                pekko.coordinated-shutdown.terminate-actor-system = off
                pekko.coordinated-shutdown.run-by-actor-system-terminate = off
                pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
                pekko.actor.testkit.typed.system-shutdown-default = 60s
                """
                    .formatted(database))
            .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seedNodes))
            .withFallback(ConfigFactory.load());
    ActorTestKit kit = ActorTestKit.create(ClusterSettings.SYSTEM_NAME, config);
    JdbcStore.start(kit.system()).toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
    return new Node(kit, Orchestrator.embed(kit.system()));
  }

  @Test
  void clientOnOneNodeAnswersARequesterOnAnotherForASessionOnTheThird() throws Exception {
    Node clientNode = nodes.get(0);
    Node requesterNode = nodes.get(1);
    String sessionId = sessionHostedOn(nodes.get(2), requesterNode);
    RecordingListener listener = new RecordingListener(Duration.ofSeconds(WAIT_SECONDS));
    ClientHandle client = await(clientNode.orchestrator().attach(sessionId, listener));

    CompletableFuture<InteractionOutcome> outcome =
        requesterNode
            .orchestrator()
            .request(sessionId, InteractionRequest.of("approve", RawJson.parse("payload", "{\"tool\":\"deploy\"}")))
            .toCompletableFuture();
    ServerMessage.Interaction shown = listener.nextInteraction();
    ServerMessage.Receipt receipt = await(client.answer(shown.id(), YES));

    assertInstanceOf(ServerMessage.Ack.class, receipt);
    assertEquals(new InteractionOutcome.Answered(YES, client.connectionId()), outcome.get(WAIT_SECONDS, TimeUnit.SECONDS));
    assertEquals(new ServerMessage.Closed(shown.id(), dev.interactions.protocol.OutcomeCode.ANSWERED), listener.nextClosed());
    client.close();
  }

  @Test
  void sessionMovedByAGracefulLeaveIsReplayedToItsConnectedClientWhoseAnswerReachesTheRequester() throws Exception {
    Node clientNode = nodes.get(0);
    Node requesterNode = nodes.get(1);
    Node leaving = nodes.get(2);
    String sessionId = sessionHostedOn(leaving, requesterNode);
    RecordingListener listener = new RecordingListener(Duration.ofSeconds(WAIT_SECONDS));
    ClientHandle client = await(clientNode.orchestrator().attach(sessionId, listener));
    CompletableFuture<InteractionOutcome> outcome =
        requesterNode
            .orchestrator()
            .request(sessionId, InteractionRequest.of("approve", RawJson.NULL, Duration.ofMinutes(5)))
            .toCompletableFuture();
    ServerMessage.Interaction shown = listener.nextInteraction();

    Cluster.get(leaving.system()).manager().tell(Leave.create(leaving.system().address()));

    // The same client, still attached, is shown the interaction again by the session's next incarnation.
    assertEquals(shown.id(), listener.nextInteraction().id());
    String newHost = await(requesterNode.orchestrator().state(sessionId)).node();
    assertNotEquals(leaving.hostPort(), newHost, "the session moved");
    assertInstanceOf(ServerMessage.Ack.class, await(client.answer(shown.id(), YES)));
    // The requester's future followed the interaction to the session's next incarnation: it gets the answer.
    assertEquals(new InteractionOutcome.Answered(YES, client.connectionId()), outcome.get(WAIT_SECONDS, TimeUnit.SECONDS));
    assertEquals(dev.interactions.protocol.OutcomeCode.ANSWERED, listener.nextClosed().outcome());
    client.close();
  }

  /** A session id whose entity the cluster placed on {@code host}, as {@code asking} reports it. */
  private String sessionHostedOn(Node host, Node asking) throws Exception {
    for (int i = 0; i < 500; i++) {
      String sessionId = "placed-" + i;
      if (await(asking.orchestrator().state(sessionId)).node().equals(host.hostPort())) {
        return sessionId;
      }
    }
    throw new AssertionError("no session among 500 was placed on " + host.hostPort());
  }

  private static <T> T await(java.util.concurrent.CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
  }
}
