package dev.interactions.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.interactions.protocol.OutcomeCode;
import dev.interactions.protocol.RawJson;
import java.time.Instant;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Reading what a session remembers: kept outcomes at once; one its journal cannot give is reported, not hung. */
class RememberedOutcomesTest {

  private static final ActorTestKit testKit = ActorTestKit.create("remembered-outcomes-test", ConfigFactory.load());
  private static final Instant AT = Instant.parse("2026-11-29T10:00:00Z");
  private final RememberedOutcomes outcomes =
      RememberedOutcomes.of(testKit.system(), OrchestratorSettings.from(testKit.system().settings().config()));

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  @Test
  void aKeptOutcomeIsReadAsItWasRecorded() {
    SessionEvent.Closed closing =
        SessionEvent.Closed.of(
            new SessionEvent.Requested("i1", "approve", RawJson.parse("payload", "{}"), AT, AT.plusSeconds(60), null),
            InteractionOutcome.Expired.INSTANCE,
            AT.plusSeconds(60));
    RememberedOutcome kept = new RememberedOutcome.Kept(closing);

    InteractionStatus status =
        assertInstanceOf(InteractionStatus.class, outcomes.status("s1", kept).toCompletableFuture().join());
    assertEquals(Optional.of(InteractionOutcome.Expired.INSTANCE), status.outcome());
    assertEquals(InteractionOutcome.Expired.INSTANCE, outcomes.result("s1", kept).toCompletableFuture().join());
  }

  @Test
  void anOutcomeTheJournalCannotGiveIsReportedAsUnreadableAndItsFollowerAsSuspended() {
    // The memory store has no journal to read from: the same path as a database that does not answer.
    RememberedOutcome inJournal = new RememberedOutcome.InJournal("i1", null, OutcomeCode.ANSWERED, AT, 7);

    UnreadableInteraction unreadable =
        assertInstanceOf(UnreadableInteraction.class, outcomes.status("s1", inJournal).toCompletableFuture().join());
    assertEquals("i1", unreadable.interactionId());
    assertTrue(unreadable.reason().startsWith("the journal could not be read now"), unreadable.reason());
    assertEquals(new Suspended("s1", "i1"), outcomes.result("s1", inJournal).toCompletableFuture().join());
  }
}
