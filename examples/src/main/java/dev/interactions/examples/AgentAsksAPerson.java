package dev.interactions.examples;

import dev.interactions.client.InteractionRequest;
import dev.interactions.client.InteractionState;
import dev.interactions.client.InteractionsClient;
import dev.interactions.client.RefusedException;
import dev.interactions.client.Requester;
import dev.interactions.protocol.OutcomeCode;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

/**
 * An agent asks a person, through the Java client library and a running server. A clean-up agent found old build
 * caches and wants to delete them; it asks the person of a session with a standard {@code confirm} interaction, waits
 * for the outcome, and acts on it: confirmed, it deletes them (simulated: it only prints); declined or rejected, it
 * keeps them and says why; no decision (nobody showed it in time, its deadline passed, it was cancelled), it gives up.
 *
 * <pre>
 * mvn -q -B -pl examples exec:java -Dexec.mainClass=dev.interactions.examples.AgentAsksAPerson \
 *     -Dexec.args="http://127.0.0.1:8080 alice"
 * </pre>
 *
 * <p>Arguments: the server's URL (default {@code http://127.0.0.1:8080}) and the session id (default {@code alice}).
 * With auth on, a requester token of the session in {@code ORCHESTRATOR_TOKEN} (not an argument: a command line is
 * visible to other users of the machine). Answer it on the demo page, {@code http://127.0.0.1:8080/?session=alice}.
 *
 * <p>It uses the client library alone (the JDK's HTTP client and Jackson): no Pekko, no orchestrator, as {@code
 * AgentAsksAPersonTest} checks; the client's jars are all it needs on its class path.
 */
public final class AgentAsksAPerson {

  /** What the agent did in the end. */
  public enum Decision {
    /** The person confirmed: it deleted the caches. */
    ACTED,
    /** The person declined or rejected it: it kept them. */
    SKIPPED,
    /** Nobody decided, or it could not ask: it kept them and stopped. */
    GAVE_UP
  }

  /** The answer to a {@code confirm} (PROTOCOL.md, "Standard kinds"); the reason is optional. */
  record ConfirmAnswer(boolean confirmed, String reason) {}

  /** What the agent found; it only pretends to delete them. */
  private static final List<String> OLD_CACHES = List.of("build-cache/2025-01", "build-cache/2025-02", "build-cache/2025-03");

  private final Requester requester;
  private final String sessionId;
  private final PrintStream out;

  /** An agent that asks the person of {@code sessionId} through {@code requester} and reports to {@code out}. */
  public AgentAsksAPerson(Requester requester, String sessionId, PrintStream out) {
    this.requester = requester;
    this.sessionId = sessionId;
    this.out = out;
  }

  /** Runs the agent once: {@code [server URL] [session id]}, and {@code ORCHESTRATOR_TOKEN} with auth on. */
  public static void main(String[] args) {
    String server = args.length > 0 ? args[0] : "http://127.0.0.1:8080";
    String sessionId = args.length > 1 ? args[1] : "alice";
    String token = System.getenv("ORCHESTRATOR_TOKEN"); // null with auth off: no token is sent
    try (InteractionsClient client = InteractionsClient.builder(URI.create(server)).token(() -> token).build()) {
      System.out.println("agent: answer on " + server.replaceAll("/+$", "") + "/?session=" + sessionId);
      new AgentAsksAPerson(client.requester(), sessionId, System.out).cleanUp();
    }
  }

  /** Asks the person whether to delete the old caches, waits for the outcome, and acts on it. */
  public Decision cleanUp() {
    InteractionRequest question =
        InteractionRequest.builder(
                "confirm",
                Map.of(
                    "message", "Delete " + OLD_CACHES.size() + " build caches older than 90 days? " + String.join(", ", OLD_CACHES),
                    "confirmLabel", "Delete",
                    "rejectLabel", "Keep"))
            .timeout(Duration.ofMinutes(2)) // no decision within 2 minutes: expired
            .deliveryTimeout(Duration.ofMinutes(1)) // no device showed it within 1 minute: undelivered, nobody is there
            .maxTimeout(Duration.ofMinutes(10)) // the page may extend the deadline while the person types a reason
            .build();
    out.println("agent: asking session " + sessionId + " whether to delete " + OLD_CACHES.size() + " old build caches");
    InteractionState outcome;
    try {
      outcome = requester.createAndWait(sessionId, question).join();
    } catch (CompletionException failed) {
      return giveUp(whyNotAsked(failed.getCause()));
    }
    OutcomeCode ended = outcome.outcome().orElse(null); // null only for an outcome newer than this library
    if (ended == OutcomeCode.ANSWERED) {
      ConfirmAnswer answer = outcome.valueAs(ConfirmAnswer.class);
      return answer.confirmed() ? deleteOldCaches() : skip("the person declined" + because(answer.reason()));
    }
    if (ended == OutcomeCode.REJECTED) {
      return skip("the person rejected the request" + because(outcome.reason().orElse(null)));
    }
    return giveUp("no decision, the request ended " + outcome.status());
  }

  private Decision deleteOldCaches() {
    OLD_CACHES.forEach(cache -> out.println("agent: deleting " + cache + " (simulated)"));
    out.println("agent: done, the person confirmed");
    return Decision.ACTED;
  }

  private Decision skip(String why) {
    out.println("agent: keeping the caches: " + why);
    return Decision.SKIPPED;
  }

  private Decision giveUp(String why) {
    out.println("agent: giving up, keeping the caches: " + why);
    return Decision.GAVE_UP;
  }

  private static String because(String reason) {
    return reason == null || reason.isBlank() ? "" : " (\"" + reason + "\")";
  }

  private static String whyNotAsked(Throwable failure) {
    if (failure instanceof RefusedException refused) {
      return "the server refused: " + refused.httpStatus().orElse(0) + " " + refused.code() + ": " + refused.getMessage();
    }
    return "the server could not be reached: " + failure; // after the client's retries
  }
}
