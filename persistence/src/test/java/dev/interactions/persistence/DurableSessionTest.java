package dev.interactions.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import dev.interactions.api.ClientHandle;
import dev.interactions.api.RecordingListener;
import dev.interactions.core.Answerers;
import dev.interactions.api.InteractionListener;
import dev.interactions.core.Census;
import dev.interactions.core.InteractionLookup;
import dev.interactions.core.InteractionOutcome;
import dev.interactions.core.DeliveryTerms;
import dev.interactions.core.Device;
import dev.interactions.core.InteractionRequest;
import dev.interactions.core.InteractionStatus;
import dev.interactions.core.InteractionSuspendedException;
import dev.interactions.core.Session;
import dev.interactions.core.SessionState;
import dev.interactions.protocol.ErrorCode;
import dev.interactions.protocol.OutcomeCode;
import dev.interactions.protocol.RawJson;
import dev.interactions.protocol.ServerMessage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sessions on the JDBC store (H2 here) survive a restart, expire what went overdue meanwhile, and keep a history. */
class DurableSessionTest {

  private static final RawJson PAYLOAD = RawJson.parse("payload", "{\"tool\":\"deploy\"}");
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path data;

  private static InteractionRequest request(Duration timeout) {
    return new InteractionRequest("approval", PAYLOAD, Optional.of(timeout), Optional.empty());
  }

  private static SessionState state(DurableStore node, String sessionId) {
    return node.orchestrator.state(sessionId).toCompletableFuture().join();
  }

  @Test
  void pendingInteractionsSurviveARestartWithTheirIdsAndDeadlines() {
    Config config = DurableStore.config(data, "orchestrator.session.reconnect-grace = 10m");
    List<ServerMessage.Interaction> before;
    CompletableFuture<InteractionOutcome> outcome;
    try (DurableStore node = DurableStore.start(config)) {
      outcome = node.orchestrator.request("s1", request(Duration.ofMinutes(10))).toCompletableFuture();
      node.orchestrator.request("s1", request(Duration.ofMinutes(10)));
      before = awaitPending(node, "s1", 2);
    }
    CompletionException suspended = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, outcome::join);
    assertInstanceOf(InteractionSuspendedException.class, suspended.getCause());

    try (DurableStore node = DurableStore.start(config)) {
      assertEquals(before, state(node, "s1").pending());
    }
  }

  @Test
  void anInteractionWhoseDeadlinePassedWhileDownExpiresAtRecovery() throws Exception {
    Config config = DurableStore.config(data, "orchestrator.session.reconnect-grace = 10m");
    ServerMessage.Interaction pending;
    try (DurableStore node = DurableStore.start(config)) {
      node.orchestrator.request("s1", request(Duration.ofMillis(1500)));
      pending = awaitPending(node, "s1", 1).get(0);
    }
    // Wall-clock deadlines: wait until this one has passed while nothing runs.
    long untilDeadline = Duration.between(Instant.now(), pending.expiresAt()).toMillis();
    if (untilDeadline > 0) {
      TimeUnit.MILLISECONDS.sleep(untilDeadline + 100);
    }
    try (DurableStore node = DurableStore.start(config)) {
      // Nobody touches the session: the roster resumes it, and it expires the overdue interaction.
      HistoryPage page = awaitHistory(node, "s1", 1);
      assertEquals(pending.id(), page.closed().get(0).interaction().interactionId());
      assertEquals(OutcomeCode.EXPIRED, page.closed().get(0).interaction().outcome());
    }
  }

  @Test
  void aSessionHoldingOnlyOutcomesLeavesMemoryAtOnceAndReadsThemBackFromTheJournal() throws Exception {
    try (DurableStore node = DurableStore.start(DurableStore.config(data, ""))) {
      InteractionRequest keyed = request(Duration.ofMinutes(10)).withIdempotencyKey("order-7");
      CompletableFuture<InteractionOutcome> outcome = node.orchestrator.request("s1", keyed).toCompletableFuture();
      String id = awaitPending(node, "s1", 1).get(0).id();
      outcome.cancel(false);

      // Nothing pending, nobody attached: the session leaves memory although it remembers the outcome...
      Census census = Census.get(node.orchestrator.system());
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (census.sessions() != 0 || census.interactions() != 0) {
        assertTrue(System.nanoTime() < deadline, "the session did not passivate: " + census.sessions());
        TimeUnit.MILLISECONDS.sleep(20);
      }
      // ...and whoever asks later is answered from the journal: a reader, and a retry with the same key.
      InteractionLookup read =
          node.orchestrator
              .sessions()
              .<InteractionLookup>ask("s1", replyTo -> new Session.GetInteraction(id, false, replyTo), WAIT)
              .toCompletableFuture()
              .join();
      assertEquals(
          Optional.of(InteractionOutcome.Cancelled.INSTANCE), assertInstanceOf(InteractionStatus.class, read).outcome());
      assertEquals(
          InteractionOutcome.Cancelled.INSTANCE,
          node.orchestrator.request("s1", keyed).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS));
    }
  }

  @Test
  void aLiveSessionReadsItsClosedInteractionsBackFromTheJournal() throws Exception {
    try (DurableStore node = DurableStore.start(DurableStore.config(data, ""))) {
      // A client stays attached, so the session stays in memory: what it remembers of the outcome is where it is.
      ClientHandle device = node.orchestrator.attach("s1", new IgnoringListener()).toCompletableFuture().join();
      InteractionRequest keyed = request(Duration.ofMinutes(10)).withIdempotencyKey("order-8");
      CompletableFuture<InteractionOutcome> outcome = node.orchestrator.request("s1", keyed).toCompletableFuture();
      String id = awaitPending(node, "s1", 1).get(0).id();
      RawJson answer = RawJson.parse("answer", "{\"approved\":true,\"note\":\"ship it\"}");
      assertInstanceOf(ServerMessage.Ack.class, device.answer(id, answer).toCompletableFuture().join());
      InteractionOutcome answered = new InteractionOutcome.Answered(answer, device.connectionId());
      assertEquals(answered, outcome.get(WAIT.toSeconds(), TimeUnit.SECONDS));
      assertEquals(1, Census.get(node.orchestrator.system()).sessions(), "the session is still live");

      // A reader, a repeated request and a late answer all learn how it ended, the answer read from the journal.
      InteractionStatus read =
          assertInstanceOf(
              InteractionStatus.class,
              node.orchestrator
                  .sessions()
                  .<InteractionLookup>ask("s1", replyTo -> new Session.GetInteraction(id, true, replyTo), WAIT)
                  .toCompletableFuture()
                  .join());
      assertEquals(Optional.of(answered), read.outcome());
      assertEquals("approval", read.interaction().kind());
      // Who answered is read back from the journal too.
      assertEquals(device.connectionId(), read.audit().orElseThrow().connectionId());
      assertEquals("in-process", read.audit().orElseThrow().transport());
      assertEquals(answered, node.orchestrator.request("s1", keyed).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS));
      ServerMessage.Error late =
          assertInstanceOf(ServerMessage.Error.class, device.reject(id, "too late").toCompletableFuture().join());
      assertEquals(ErrorCode.ALREADY_CLOSED, late.code());
      device.close();
    }
  }

  @Test
  void aFormsAnswerSchemaSurvivesARestartAndStillRefusesAnswersThatDoNotFit() throws Exception {
    RawJson schema =
        RawJson.parse(
            "answerSchema",
            "{\"type\":\"object\",\"properties\":{\"age\":{\"type\":\"integer\",\"minimum\":18}},\"required\":[\"age\"]}");
    InteractionRequest form =
        new InteractionRequest("form", RawJson.parse("payload", "{\"message\":\"Your age?\"}"), Optional.of(Duration.ofMinutes(10)), Optional.empty())
            .withAnswerSchema(schema);
    Config config = DurableStore.config(data, "orchestrator.session.reconnect-grace = 10m");
    try (DurableStore node = DurableStore.start(config)) {
      node.orchestrator.request("s1", form);
      awaitPending(node, "s1", 1);
    }

    try (DurableStore node = DurableStore.start(config)) {
      ServerMessage.Interaction recovered = awaitPending(node, "s1", 1).get(0);
      assertEquals(schema, recovered.answerSchema(), "clients are replayed the schema to render");
      ClientHandle device = node.orchestrator.attach("s1", new IgnoringListener()).toCompletableFuture().join();
      ServerMessage.Error refused =
          assertInstanceOf(
              ServerMessage.Error.class,
              device.answer(recovered.id(), RawJson.parse("answer", "{\"age\":12}")).toCompletableFuture().join());
      assertEquals(ErrorCode.INVALID_ANSWER, refused.code());
      assertEquals("/age", refused.errors().get(0).pointer());
      assertInstanceOf(
          ServerMessage.Ack.class,
          device.answer(recovered.id(), RawJson.parse("answer", "{\"age\":30}")).toCompletableFuture().join());
      device.close();
    }
  }

  @Test
  void whoMayAnswerSurvivesARestart() throws Exception {
    Answerers onlyAlice =
        Answerers.only(List.of("alice"), List.of()).excluding("backend").seenBy(Answerers.Visibility.ANSWERERS);
    Config config = DurableStore.config(data, "orchestrator.session.reconnect-grace = 10m");
    try (DurableStore node = DurableStore.start(config)) {
      node.orchestrator.request("s1", request(Duration.ofMinutes(10)).withAnswerers(onlyAlice));
      awaitPending(node, "s1", 1);
    }

    try (DurableStore node = DurableStore.start(config)) {
      String id = awaitPending(node, "s1", 1).get(0).id();
      RecordingListener bobsPhone = new RecordingListener(WAIT);
      ClientHandle bob = node.orchestrator.attach("s1", "bob", Set.of(), bobsPhone).toCompletableFuture().join();
      ServerMessage.Error refused =
          assertInstanceOf(ServerMessage.Error.class, bob.answer(id, RawJson.parse("answer", "true")).toCompletableFuture().join());
      assertEquals(ErrorCode.FORBIDDEN, refused.code());
      RecordingListener alicesPhone = new RecordingListener(WAIT);
      ClientHandle alice = node.orchestrator.attach("s1", "alice", Set.of(), alicesPhone).toCompletableFuture().join();
      assertEquals(id, alicesPhone.nextInteraction().id(), "replayed to alice");
      assertInstanceOf(
          ServerMessage.Ack.class, alice.answer(id, RawJson.parse("answer", "true")).toCompletableFuture().join());
      bob.close();
      alice.close();
    }
  }

  @Test
  void whoShowedAnInteractionAndItsExtendedDeadlineSurviveARestart() throws Exception {
    InteractionRequest extensible =
        request(Duration.ofMinutes(1))
            .withDelivery(new DeliveryTerms(Optional.of(Duration.ofSeconds(30)), Optional.of(Duration.ofMinutes(30)), Optional.empty()));
    Config config = DurableStore.config(data, "");
    ServerMessage.Interaction extended;
    String shownBy;
    try (DurableStore node = DurableStore.start(config)) {
      ClientHandle device = node.orchestrator.attach("s1", new IgnoringListener()).toCompletableFuture().join();
      node.orchestrator.request("s1", extensible);
      String id = awaitPending(node, "s1", 1).get(0).id();
      assertInstanceOf(ServerMessage.Ack.class, device.shown(id).toCompletableFuture().join());
      assertInstanceOf(ServerMessage.Ack.class, device.extend(id, Duration.ofMinutes(20)).toCompletableFuture().join());
      extended = awaitPending(node, "s1", 1).get(0);
      shownBy = device.connectionId();
      device.close();
    }

    try (DurableStore node = DurableStore.start(config)) {
      // Who showed it, and the deadline as extended, not as requested.
      assertEquals(List.of(extended), state(node, "s1").pending());
      assertEquals(shownBy, extended.shownBy());
      assertTrue(extended.expiresAt().isAfter(extended.requestedAt().plus(Duration.ofMinutes(19))), extended.toString());
    }
  }

  @Test
  void aPartialQuorumSurvivesARestartAndItsLastApprovalClosesIt() throws Exception {
    Config config = DurableStore.config(data, "orchestrator.session.reconnect-grace = 10m");
    RawJson first = RawJson.parse("answer", "{\"by\":\"first\"}");
    String id;
    try (DurableStore node = DurableStore.start(config)) {
      ClientHandle device = node.orchestrator.attach("s1", new IgnoringListener()).toCompletableFuture().join();
      node.orchestrator.request("s1", request(Duration.ofMinutes(10)).withApprovals(2));
      id = awaitPending(node, "s1", 1).get(0).id();
      assertInstanceOf(ServerMessage.Ack.class, device.answer(id, first).toCompletableFuture().join());
      device.close();
    }

    try (DurableStore node = DurableStore.start(config)) {
      assertEquals(1, awaitPending(node, "s1", 1).size(), "one approval of two: still pending");
      ClientHandle other = node.orchestrator.attach("s1", new IgnoringListener()).toCompletableFuture().join();
      assertInstanceOf(
          ServerMessage.Ack.class,
          other.answer(id, RawJson.parse("answer", "{\"by\":\"second\"}")).toCompletableFuture().join());
      String closingId = id;
      InteractionStatus read =
          assertInstanceOf(
              InteractionStatus.class,
              node.orchestrator
                  .sessions()
                  .<InteractionLookup>ask("s1", replyTo -> new Session.GetInteraction(closingId, true, replyTo), WAIT)
                  .toCompletableFuture()
                  .join());
      InteractionOutcome.Answered both = assertInstanceOf(InteractionOutcome.Answered.class, read.outcome().orElseThrow());
      assertEquals("[{\"by\":\"first\"},{\"by\":\"second\"}]", both.value().text(), "the approval before the restart counts");
      other.close();
    }
  }

  @Test
  void anOutcomeRecordedByTheFirstCommandAfterARestartIsReadBackFromTheRightJournalEntry() throws Exception {
    Config config = DurableStore.config(data, "orchestrator.session.reconnect-grace = 10m");
    List<ServerMessage.Interaction> pending;
    try (DurableStore node = DurableStore.start(config)) {
      node.orchestrator.request("s1", request(Duration.ofMinutes(10)));
      node.orchestrator.request("s1", request(Duration.ofMinutes(10)));
      pending = awaitPending(node, "s1", 2);
    }

    try (DurableStore node = DurableStore.start(config)) {
      String answered = pending.get(0).id();
      // The first command starts the session: it waits in the stash while the journal is replayed, and is handled when
      // the replay hands over (the second interaction keeps the session in memory afterwards).
      assertInstanceOf(
          ServerMessage.Ack.class,
          node.orchestrator
              .sessions()
              .<ServerMessage.Receipt>ask(
                  "s1",
                  replyTo ->
                      new Session.Respond(answered, Device.inProcess("local-1"), new InteractionOutcome.Answered(RawJson.parse("v", "1"), "local-1"), null, replyTo, false),
                  WAIT)
              .toCompletableFuture()
              .join());

      InteractionLookup read =
          node.orchestrator
              .sessions()
              .<InteractionLookup>ask("s1", replyTo -> new Session.GetInteraction(answered, false, replyTo), WAIT)
              .toCompletableFuture()
              .join();
      InteractionStatus status = assertInstanceOf(InteractionStatus.class, read, "read back, not unreadable: " + read);
      assertEquals(OutcomeCode.ANSWERED, status.outcome().orElseThrow().code());
    }
  }

  @Test
  void anH2DatabaseKeepsEventsInTheirRowsNotInItsLobStorage() throws Exception {
    try (DurableStore node = DurableStore.start(DurableStore.config(data, ""))) {
      String url = node.orchestrator.system().settings().config().getString("orchestrator.persistence.jdbc.url");
      try (Connection connection = DriverManager.getConnection(url, "interactions", "");
          ResultSet setting =
              connection
                  .createStatement()
                  .executeQuery(
                      "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS"
                          + " WHERE SETTING_NAME = 'MAX_LENGTH_INPLACE_LOB'")) {
        assertTrue(setting.next(), "H2 reports the setting");
        assertEquals("131072", setting.getString(1));
      }
    }
  }

  @Test
  void historyPagesThroughClosedInteractionsOldestFirstAndFiltersByOutcome() {
    Config config = DurableStore.config(data, "");
    try (DurableStore node = DurableStore.start(config)) {
      for (int i = 0; i < 5; i++) {
        CompletableFuture<InteractionOutcome> outcome =
            node.orchestrator.request("s1", request(Duration.ofMinutes(10))).toCompletableFuture();
        String id = awaitPending(node, "s1", 1).get(0).id();
        if (i % 2 == 0) {
          outcome.cancel(false);
        } else {
          node.orchestrator.request("s1", request(Duration.ofMillis(1))).toCompletableFuture().join();
        }
        awaitPending(node, "s1", i % 2 == 0 ? 0 : 1);
        if (i % 2 != 0) {
          outcome.cancel(false);
          awaitPending(node, "s1", 0);
        }
        assertTrue(id.length() > 0);
      }
      HistoryPage first = node.store.history("s1", Optional.empty(), 3, Optional.empty()).toCompletableFuture().join();
      assertEquals(3, first.closed().size());
      assertTrue(first.next().isPresent());
      HistoryPage rest =
          node.store
              .history("s1", Optional.empty(), 10, first.next().map(Long::parseLong))
              .toCompletableFuture()
              .join();
      assertEquals(4, rest.closed().size());
      assertTrue(rest.next().isEmpty());
      HistoryPage expired =
          node.store.history("s1", Optional.of(OutcomeCode.EXPIRED), 10, Optional.empty()).toCompletableFuture().join();
      assertEquals(2, expired.closed().size());
      expired.closed().forEach(entry -> assertEquals(OutcomeCode.EXPIRED, entry.interaction().outcome()));
    }
  }

  @Test
  void retentionDeletesTheEventsAndSnapshotsOfASessionIdleForLongerThanThePeriod() throws Exception {
    Config config =
        DurableStore.config(
            data,
            "orchestrator.persistence.jdbc.retention.period = 1ms\n"
                + "orchestrator.persistence.snapshot-every = 2\n"
                + "orchestrator.session.closed-retention = 0s");
    try (DurableStore node = DurableStore.start(config)) {
      for (int i = 0; i < 3; i++) {
        node.orchestrator.request("s1", request(Duration.ofMillis(1))).toCompletableFuture().join();
      }
      assertEquals(3, awaitHistory(node, "s1", 3).closed().size());
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (rows(node, "snapshot") == 0) {
        assertTrue(System.nanoTime() < deadline, "snapshots are taken every 2 events");
        TimeUnit.MILLISECONDS.sleep(50); // snapshots are written asynchronously; poll the table
      }

      JournalRetention.Swept swept = node.store.sweep(WAIT).toCompletableFuture().join();

      assertEquals(null, swept.failure());
      assertEquals(1, swept.idleSessions());
      assertEquals(0, rows(node, "event_journal"), "events gone");
      assertEquals(0, rows(node, "snapshot"), "snapshots gone");
      assertEquals(
          0, node.store.history("s1", Optional.empty(), 10, Optional.empty()).toCompletableFuture().join().closed().size());
    }
  }

  @Test
  void retentionKeepsEverythingWithinThePeriod() throws Exception {
    try (DurableStore node = DurableStore.start(DurableStore.config(data, "orchestrator.session.closed-retention = 0s"))) {
      node.orchestrator.request("s1", request(Duration.ofMillis(1))).toCompletableFuture().join();
      awaitHistory(node, "s1", 1);
      long before = rows(node, "event_journal");

      JournalRetention.Swept swept = node.store.sweep(WAIT).toCompletableFuture().join();

      assertEquals(new JournalRetention.Swept(0, 0, null), swept);
      assertEquals(before, rows(node, "event_journal"));
    }
  }

  /** Rows of {@code table} that belong to session s1, counted straight in the database. */
  private long rows(DurableStore node, String table) throws Exception {
    String url = node.orchestrator.system().settings().config().getString("orchestrator.persistence.jdbc.url");
    try (Connection connection = DriverManager.getConnection(url, "interactions", "");
        ResultSet count =
            connection
                .createStatement()
                .executeQuery("SELECT COUNT(*) FROM \"" + table + "\" WHERE \"persistence_id\" = 'Session|s1'")) {
      count.next();
      return count.getLong(1);
    }
  }

  private static List<ServerMessage.Interaction> awaitPending(DurableStore node, String sessionId, int count) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    SessionState state;
    while ((state = state(node, sessionId)).pending().size() != count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("expected " + count + " pending, have " + state.pending());
      }
      Thread.onSpinWait();
    }
    return state.pending();
  }

  private static HistoryPage awaitHistory(DurableStore node, String sessionId, int count) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    HistoryPage page;
    while ((page = node.store.history(sessionId, Optional.empty(), 100, Optional.empty()).toCompletableFuture().join())
            .closed()
            .size()
        < count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("expected " + count + " closed, have " + page.closed());
      }
    }
    return page;
  }

  /** A device that shows nothing: the test answers through its handle. */
  private static final class IgnoringListener implements InteractionListener {
    @Override
    public void onInteraction(ServerMessage.Interaction interaction) {}

    @Override
    public void onClosed(ServerMessage.Closed closed) {}
  }
}
