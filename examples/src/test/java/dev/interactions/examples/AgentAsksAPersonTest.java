package dev.interactions.examples;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import dev.interactions.client.Device;
import dev.interactions.client.InteractionsClient;
import dev.interactions.client.Requester;
import dev.interactions.client.RetryPolicy;
import dev.interactions.examples.AgentAsksAPerson.Decision;
import dev.interactions.protocol.ServerMessage;
import dev.interactions.server.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent of {@link AgentAsksAPerson} against a real server started in-process, with a device of the client library
 * playing the person over a real WebSocket: what the agent does for each way the person, or nobody, decides.
 */
class AgentAsksAPersonTest {

  private static final AtomicInteger SESSIONS = new AtomicInteger();

  private static TestServer server;
  private static InteractionsClient client;

  /** What the agent decided and what it printed. */
  private record AgentRun(Decision decision, String output) {}

  @BeforeAll
  static void start() {
    server = TestServer.start("");
    client = InteractionsClient.builder(server.http("")).build();
  }

  @AfterAll
  static void stop() {
    client.close();
    server.close();
  }

  @Test
  void aConfirmationDeletesTheCachesAfterAskingWithAConfirmTheDemoPageCanExtend() throws Exception {
    String session = newSession();
    CompletableFuture<ServerMessage.Interaction> asked = new CompletableFuture<>();
    try (Device person = client.device(session)) {
      answerEach(
          person,
          interaction -> {
            asked.complete(interaction);
            person.answer(interaction.id(), Map.of("confirmed", true));
          });

      AgentRun run = runAgent(client.requester(), session);

      assertEquals(Decision.ACTED, run.decision(), run.output());
      assertTrue(run.output().contains("agent: deleting build-cache/2025-01 (simulated)"), run.output());
      ServerMessage.Interaction interaction = asked.get(30, TimeUnit.SECONDS);
      assertEquals("confirm", interaction.kind());
      JsonNode payload = interaction.payload().tree();
      assertTrue(payload.path("message").asText().startsWith("Delete 3 build caches"), payload.toString());
      assertEquals("Delete", payload.path("confirmLabel").asText());
      assertEquals("Keep", payload.path("rejectLabel").asText());
      assertNotNull(interaction.extendableUntil(), "the page may extend it while the person types");
    }
  }

  @Test
  void aDeclineKeepsTheCachesAndSaysWhy() throws Exception {
    String session = newSession();
    try (Device person = client.device(session)) {
      answerEach(person, interaction -> person.answer(interaction.id(), Map.of("confirmed", false, "reason", "the release needs them")));

      AgentRun run = runAgent(client.requester(), session);

      assertEquals(Decision.SKIPPED, run.decision(), run.output());
      assertTrue(run.output().contains("the person declined (\"the release needs them\")"), run.output());
      assertFalse(run.output().contains("deleting"), run.output());
    }
  }

  @Test
  void aRejectionKeepsTheCachesAndSaysWhy() throws Exception {
    String session = newSession();
    try (Device person = client.device(session)) {
      answerEach(person, interaction -> person.reject(interaction.id(), "ask me after lunch"));

      AgentRun run = runAgent(client.requester(), session);

      assertEquals(Decision.SKIPPED, run.decision(), run.output());
      assertTrue(run.output().contains("the person rejected the request (\"ask me after lunch\")"), run.output());
      assertFalse(run.output().contains("deleting"), run.output());
    }
  }

  @Test
  void aRequestThatEndsWithoutADecisionMakesTheAgentGiveUp() throws Exception {
    String session = newSession();
    try (Device person = client.device(session)) {
      // The person sees it, but the request is cancelled before anyone decides (as if the agent's run was aborted).
      answerEach(person, interaction -> client.requester().cancel(session, interaction.id()));

      AgentRun run = runAgent(client.requester(), session);

      assertEquals(Decision.GAVE_UP, run.decision(), run.output());
      assertTrue(run.output().contains("no decision, the request ended cancelled"), run.output());
      assertFalse(run.output().contains("deleting"), run.output());
    }
  }

  @Test
  void aServerThatCannotBeReachedMakesTheAgentGiveUp() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    try (InteractionsClient unreachable =
        InteractionsClient.builder(URI.create("http://127.0.0.1:" + closedPort)).retry(RetryPolicy.none()).build()) {

      AgentRun run = runAgent(unreachable.requester(), newSession());

      assertEquals(Decision.GAVE_UP, run.decision(), run.output());
      assertTrue(run.output().contains("the server could not be reached"), run.output());
    }
  }

  @Test
  void theAgentRunsOnTheClientLibraryAloneWithoutPekkoOrTheOrchestrator() {
    DescribedPredicate<JavaClass> theAgent = belongToAnyOf(AgentAsksAPerson.class);
    classes()
        .that(theAgent)
        .should()
        .onlyDependOnClassesThat(
            resideInAnyPackage("java..", "dev.interactions.client..", "dev.interactions.protocol..")
                // its own nested classes, and arrays of them (an enum's values())
                .or(theAgent.<JavaClass>onResultOf(JavaClass::getBaseComponentType)))
        .check(new ClassFileImporter().importPackagesOf(AgentAsksAPerson.class));
  }

  /** Plays the person on {@code device}: it responds to each interaction with {@code respond}, once connected. */
  private static void answerEach(Device device, Consumer<ServerMessage.Interaction> respond) throws Exception {
    device.onInteraction(respond);
    device.connect().get(30, TimeUnit.SECONDS);
  }

  /**
   * Runs the agent in this thread until it decided; the interaction's own deadlines bound the wait (its delivery
   * timeout, one minute, when no device shows it).
   */
  private static AgentRun runAgent(Requester requester, String session) {
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    Decision decision = new AgentAsksAPerson(requester, session, new PrintStream(output, true, StandardCharsets.UTF_8)).cleanUp();
    return new AgentRun(decision, output.toString(StandardCharsets.UTF_8));
  }

  private static String newSession() {
    return "agent-" + SESSIONS.incrementAndGet();
  }
}
