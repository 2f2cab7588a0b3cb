package dev.interactions.benchmarks;

import com.typesafe.config.ConfigFactory;
import dev.interactions.api.Orchestrator;
import dev.interactions.core.Census;
import dev.interactions.core.Device;
import dev.interactions.core.InteractionOutcome;
import dev.interactions.core.InteractionRequest;
import dev.interactions.core.Session;
import dev.interactions.persistence.JdbcStore;
import dev.interactions.protocol.RawJson;
import dev.interactions.protocol.ServerMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Retained heap of idle sessions and of pending interactions, each measured in a fresh JVM with the default
 * configuration: heap after full collections before and after creating the items, divided by their number.
 */
final class RetainedHeap {

  /**
   * Heap of {@code sessions} idle sessions, each with one attached client actor that ignores everything it is sent.
   *
   * @param bytesPerClientActor the minimal client actor alone (spawned, not yet attached)
   * @param bytesPerSession the session alone: attaching the client actors created their sessions
   * @param bytesPerSessionWithConnection both
   */
  record IdleSessions(
      int sessions,
      long baselineBytes,
      long withClientActorsBytes,
      long withSessionsBytes,
      long liveSessions,
      double bytesPerClientActor,
      double bytesPerSession,
      double bytesPerSessionWithConnection,
      List<Heap.ClassGrowth> sessionClasses) {}

  /**
   * Heap of {@code interactions} pending interactions ({@code perSession} in each of {@code sessions} sessions, each
   * session with one attached client that does not answer), requested through {@link Orchestrator#request} with a
   * one-hour timeout and a distinct payload each, the requester holding every returned stage. Then every one is
   * answered and the stages are dropped: what is left is the sessions' memory of closed outcomes.
   */
  record PendingInteractions(
      int sessions,
      int perSession,
      int interactions,
      int payloadChars,
      long withSessionsBytes,
      long withPendingBytes,
      long afterAnswersBytes,
      long liveInteractions,
      double bytesPerPendingInteraction,
      double bytesPerRetainedOutcome,
      List<Heap.ClassGrowth> pendingClasses,
      List<Heap.ClassGrowth> retainedClasses) {}

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final int TOP_CLASSES = 40;

  private RetainedHeap() {}

  static IdleSessions idleSessions(int count) throws Exception {
    // The warm-up's sessions stay too: the node's bound of sessions must leave room for both.
    String bound = "orchestrator.node.max-sessions = " + (count + 10_000);
    try (Orchestrator orchestrator = Orchestrator.start(ConfigFactory.parseString(bound))) {
      Census census = Census.get(orchestrator.system());
      warmUp(orchestrator, census, false);
      long warmSessions = census.sessions();
      long baseline = Heap.settledUsedBytes();

      List<ActorRef<ServerMessage>> clients = spawnSilentClients(orchestrator, "idle-client-", count);
      long withClients = Heap.settledUsedBytes();
      Path before = Heap.histogram();

      attach(orchestrator, "idle-", clients);
      await("all sessions alive", () -> census.sessions() == warmSessions + count);
      long withSessions = Heap.settledUsedBytes();
      Path after = Heap.histogram();

      return new IdleSessions(
          count,
          baseline,
          withClients,
          withSessions,
          census.sessions() - warmSessions,
          (double) (withClients - baseline) / count,
          (double) (withSessions - withClients) / count,
          (double) (withSessions - baseline) / count,
          Heap.growth(before, after, count, TOP_CLASSES));
    }
  }

  /**
   * As {@link #pendingInteractions(int, int)}, with sessions on {@code store}: {@code memory}, or {@code h2} (a durable
   * store on a fresh H2 file, deleted afterwards; remembered outcomes are then only where they are in the journal).
   */
  static PendingInteractions pendingInteractions(int sessions, int perSession, String store) throws Exception {
    if (store.equals("memory")) {
      return pendingInteractions(sessions, perSession);
    }
    StoreDatabase database = StoreDatabase.fresh(store);
    try (Orchestrator orchestrator = Orchestrator.start(database.config(""))) {
      JdbcStore.start(orchestrator.system()).toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      return pendingInteractions(orchestrator, sessions, perSession);
    } finally {
      database.deleteFiles();
    }
  }

  static PendingInteractions pendingInteractions(int sessions, int perSession) throws Exception {
    try (Orchestrator orchestrator = Orchestrator.start(ConfigFactory.empty())) {
      return pendingInteractions(orchestrator, sessions, perSession);
    }
  }

  private static PendingInteractions pendingInteractions(Orchestrator orchestrator, int sessions, int perSession)
      throws Exception {
    int total = sessions * perSession;
    Census census = Census.get(orchestrator.system());
    warmUp(orchestrator, census, true);
    List<ActorRef<ServerMessage>> clients = spawnSilentClients(orchestrator, "pending-client-", sessions);
    attach(orchestrator, "pending-", clients);
    long withSessions = Heap.settledUsedBytes();
    Path idle = Heap.histogram();

    List<CompletableFuture<InteractionOutcome>> outcomes = new ArrayList<>(total);
    int payloadChars = 0;
    for (int s = 0; s < sessions; s++) {
      for (int k = 0; k < perSession; k++) {
        String text = "{\"tool\":\"rm\",\"path\":\"/tmp/file-" + (s * perSession + k) + "\"}";
        RawJson payload = RawJson.parse("payload", text);
        payloadChars = Math.max(payloadChars, payload.text().length());
        InteractionRequest request = InteractionRequest.of("approve", payload, Duration.ofHours(1));
        outcomes.add(orchestrator.request("pending-" + s, request).toCompletableFuture());
      }
    }
    await("all interactions pending", () -> census.interactions() == total);
    long withPending = Heap.settledUsedBytes();
    Path pending = Heap.histogram();
    long live = census.interactions();
    long endedEarly = outcomes.stream().filter(CompletableFuture::isDone).count();
    if (endedEarly > 0) {
      throw new IllegalStateException(endedEarly + " interactions ended before they were measured");
    }

    answerEverything(orchestrator, sessions);
    CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new)).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    long answered = outcomes.stream().filter(o -> o.join() instanceof InteractionOutcome.Answered).count();
    if (answered != total) {
      throw new IllegalStateException("only " + answered + " of " + total + " interactions were answered");
    }
    outcomes.clear();
    await("all interaction actors stopped", () -> census.interactions() == 0);
    long afterAnswers = Heap.settledUsedBytes();
    Path retained = Heap.histogram();

    return new PendingInteractions(
        sessions,
        perSession,
        total,
        payloadChars,
        withSessions,
        withPending,
        afterAnswers,
        live,
        (double) (withPending - withSessions) / total,
        (double) (afterAnswers - withSessions) / total,
        Heap.growth(idle, pending, total, TOP_CLASSES),
        Heap.growth(idle, retained, total, TOP_CLASSES));
  }

  /**
   * Loads the classes and sizes the structures that first sessions (and, with {@code interactions}, first interactions)
   * need. The warm-up sessions stay, their clients attached (an attachment follows its session, so a session whose
   * client only detached would be attached again), a constant in every reading of the phase; with interactions they
   * also remember their cancelled outcomes for {@code closed-retention}.
   */
  private static void warmUp(Orchestrator orchestrator, Census census, boolean interactions) throws Exception {
    List<ActorRef<ServerMessage>> clients = spawnSilentClients(orchestrator, "warm-up-client-", 1_000);
    attach(orchestrator, "warm-up-", clients);
    if (interactions) {
      List<CompletableFuture<InteractionOutcome>> requested = new ArrayList<>();
      for (int s = 0; s < clients.size(); s++) {
        InteractionRequest request = InteractionRequest.of("warm-up", RawJson.NULL);
        requested.add(orchestrator.request("warm-up-" + s, request).toCompletableFuture());
      }
      await("warm-up interactions pending", () -> census.interactions() == clients.size());
      requested.forEach(outcome -> outcome.cancel(false));
      await("warm-up interactions gone", () -> census.interactions() == 0);
    }
  }

  private static List<ActorRef<ServerMessage>> spawnSilentClients(
      Orchestrator orchestrator, String prefix, int count) {
    return ClientActors.spawn(orchestrator, prefix, count, name -> Behaviors.<ServerMessage>ignore());
  }

  private static void attach(Orchestrator orchestrator, String sessionPrefix, List<ActorRef<ServerMessage>> clients) {
    ClientActors.attach(orchestrator, sessionPrefix, clients, TIMEOUT);
  }

  /** Answers every pending interaction of sessions {@code pending-0..}, each with a distinct value. */
  private static void answerEverything(Orchestrator orchestrator, int sessions) {
    ActorRef<ServerMessage.Receipt> receipts = orchestrator.system().ignoreRef();
    int n = 0;
    for (int s = 0; s < sessions; s++) {
      String sessionId = "pending-" + s;
      String connectionId = "pending-client-" + s;
      List<ServerMessage.Interaction> views = orchestrator.state(sessionId).toCompletableFuture().join().pending();
      for (ServerMessage.Interaction interaction : views) {
        RawJson value = RawJson.parse("value", "{\"approved\":true,\"n\":" + n++ + "}");
        InteractionOutcome.Answered answer = new InteractionOutcome.Answered(value, connectionId);
        orchestrator
            .sessions()
            .tell(sessionId, new Session.Respond(interaction.id(), Device.inProcess(connectionId), answer, null, receipts, false));
      }
    }
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for: " + what);
      }
      Thread.sleep(20);
    }
  }
}
