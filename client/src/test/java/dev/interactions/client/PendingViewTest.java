package dev.interactions.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.interactions.protocol.OutcomeCode;
import dev.interactions.protocol.RawJson;
import dev.interactions.protocol.ServerMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a device reports of the frames it receives, across reconnects and replays. */
class PendingViewTest {

  private static final Instant REQUESTED = Instant.parse("2026-11-24T10:00:00Z");
  private static final Instant EXPIRES = REQUESTED.plusSeconds(60);

  private final PendingView view = new PendingView();

  @Test
  void theFirstReplayReportsEveryPendingInteractionOnce() {
    List<ServerMessage> reports = apply(welcome(), interaction("a"), interaction("b"), new ServerMessage.Synced(2));

    assertEquals(List.of(interaction("a"), interaction("b")), reports);
    assertEquals(List.of(interaction("a"), interaction("b")), view.pending());
  }

  @Test
  void aReconnectsReplayReportsOnlyWhatIsNewAndClosesWhatItNoLongerHas() {
    apply(welcome(), interaction("a"), interaction("b"), new ServerMessage.Synced(2));

    List<ServerMessage> reports = apply(welcome(), interaction("a"), interaction("c"), new ServerMessage.Synced(2));

    assertEquals(List.of(interaction("c"), new ServerMessage.Closed("b", null)), reports);
    assertEquals(List.of(interaction("a"), interaction("c")), view.pending());
  }

  @Test
  void whatChangedAboutAKnownInteractionWhileAwayIsReportedAsTheChange() {
    apply(welcome(), interaction("a"), new ServerMessage.Synced(1));
    Instant later = EXPIRES.plusSeconds(300);
    ServerMessage.Interaction replayed =
        new ServerMessage.Interaction("a", "k", RawJson.NULL, REQUESTED, later, null, null, "websocket-2", REQUESTED.plusSeconds(1), null);

    List<ServerMessage> reports = apply(welcome(), replayed, new ServerMessage.Synced(1));

    assertEquals(List.of(new ServerMessage.Extended("a", later), new ServerMessage.Shown("a", "websocket-2")), reports);
    assertEquals(List.of(replayed), view.pending());
  }

  @Test
  void aReplayOnTheSameSocketAfterAFailoverAlsoDropsWhatItNoLongerHas() {
    apply(welcome(), interaction("a"), interaction("b"), new ServerMessage.Synced(2));

    List<ServerMessage> reports = apply(interaction("b"), new ServerMessage.Synced(1));

    assertEquals(List.of(new ServerMessage.Closed("a", null)), reports);
  }

  @Test
  void liveFramesAreReportedOnlyForInteractionsItKnowsAndOnlyOnce() {
    apply(welcome(), new ServerMessage.Synced(0));
    ServerMessage.Closed closed = new ServerMessage.Closed("a", OutcomeCode.ANSWERED);
    ServerMessage.Extended extended = new ServerMessage.Extended("a", EXPIRES.plusSeconds(60));

    List<ServerMessage> reports =
        apply(
            interaction("a"),
            new ServerMessage.Shown("a", "websocket-1"),
            extended,
            new ServerMessage.Progress("a", 1, 2),
            closed,
            closed,
            new ServerMessage.Shown("a", "websocket-1"),
            new ServerMessage.Closed("unknown", OutcomeCode.EXPIRED),
            new ServerMessage.Pong());

    assertEquals(
        List.of(interaction("a"), new ServerMessage.Shown("a", "websocket-1"), extended, new ServerMessage.Progress("a", 1, 2), closed),
        reports);
    assertEquals(List.of(), view.pending());
  }

  @Test
  void reportsOfShownAndExtendedUpdateThePendingInteraction() {
    apply(welcome(), interaction("a"), new ServerMessage.Synced(1));

    apply(new ServerMessage.Shown("a", "websocket-1"), new ServerMessage.Extended("a", EXPIRES.plusSeconds(5)));

    ServerMessage.Interaction now = view.get("a").orElseThrow();
    assertEquals("websocket-1", now.shownBy());
    assertEquals(EXPIRES.plusSeconds(5), now.expiresAt());
  }

  @Test
  void anInteractionClosedDuringTheReplayIsNotReportedClosedTwice() {
    apply(welcome(), interaction("a"), new ServerMessage.Synced(1));

    List<ServerMessage> reports =
        apply(welcome(), interaction("a"), new ServerMessage.Closed("a", OutcomeCode.CANCELLED), new ServerMessage.Synced(1));

    assertEquals(List.of(new ServerMessage.Closed("a", OutcomeCode.CANCELLED)), reports);
  }

  // --- steps ---------------------------------------------------------------------------------------------------------

  private List<ServerMessage> apply(ServerMessage... frames) {
    List<ServerMessage> reports = new ArrayList<>();
    for (ServerMessage frame : frames) {
      reports.addAll(view.apply(frame));
    }
    return reports;
  }

  private static ServerMessage.Welcome welcome() {
    return new ServerMessage.Welcome(1, "s", "websocket-1", 15_000);
  }

  private static ServerMessage.Interaction interaction(String id) {
    return new ServerMessage.Interaction(id, "k", RawJson.NULL, REQUESTED, EXPIRES);
  }
}
