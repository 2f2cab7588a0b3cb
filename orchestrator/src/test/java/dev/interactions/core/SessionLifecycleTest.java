package dev.interactions.core;

import static dev.interactions.core.SessionLifecycle.Next.AWAIT_RECONNECT;
import static dev.interactions.core.SessionLifecycle.Next.PASSIVATE;
import static dev.interactions.core.SessionLifecycle.Next.SERVE;
import static dev.interactions.core.SessionLifecycle.Next.STOP;
import static dev.interactions.core.SessionLifecycle.Next.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.interactions.core.SessionLifecycle.Content;
import org.junit.jupiter.api.Test;

/** A session's lifetime decisions, as plain Java: lifecycle and content in, what it does next out. No actor involved. */
class SessionLifecycleTest {

  /** Content whose pending interactions all end after the reconnect grace ({@code whenNoDevice: grace}). */
  private static Content content(int pending, boolean remembers, int connections, int resolving, boolean durable) {
    return new Content(pending, pending, remembers, connections, resolving, durable);
  }

  @Test
  void anActiveSessionWithAConnectionServesAndRunsNoGrace() {
    assertEquals(SERVE, SessionLifecycle.ACTIVE.next(content(3, true, 1, 0, true)));
    assertEquals(SERVE, SessionLifecycle.ACTIVE.next(content(0, false, 1, 0, true)), "quiet clients keep it");
  }

  @Test
  void pendingWorkWithNobodyAttachedWaitsForAReconnect() {
    assertEquals(AWAIT_RECONNECT, SessionLifecycle.ACTIVE.next(content(1, false, 0, 0, false)));
  }

  @Test
  void pendingWorkThatWaitsForADeviceKeepsTheSessionWithoutAGrace() {
    assertEquals(SERVE, SessionLifecycle.ACTIVE.next(new Content(2, 0, false, 0, 0, true)));
    assertEquals(AWAIT_RECONNECT, SessionLifecycle.ACTIVE.next(new Content(2, 1, false, 0, 0, true)), "one that does not wait");
  }

  @Test
  void aSessionHoldingNothingPassivates() {
    assertEquals(PASSIVATE, SessionLifecycle.ACTIVE.next(content(0, false, 0, 0, true)));
  }

  @Test
  void outcomesBeingDeliveredKeepItServing() {
    assertEquals(SERVE, SessionLifecycle.ACTIVE.next(content(0, false, 0, 1, true)));
    assertEquals(SERVE, SessionLifecycle.ACTIVE.next(content(0, true, 0, 1, false)));
  }

  @Test
  void rememberedOutcomesKeepASessionInMemoryOnlyWhenMemoryIsAllThereIs() {
    assertEquals(SERVE, SessionLifecycle.ACTIVE.next(content(0, true, 0, 0, false)), "memory store: until they expire");
    assertEquals(PASSIVATE, SessionLifecycle.ACTIVE.next(content(0, true, 0, 0, true)), "durable: read back later");
  }

  @Test
  void closingStopsOnceDrainedOrAtOnceWhenDurable() {
    assertEquals(WAIT, SessionLifecycle.CLOSING.next(content(2, false, 1, 0, false)), "memory: pending end first");
    assertEquals(STOP, SessionLifecycle.CLOSING.next(content(0, false, 1, 0, false)));
    assertEquals(STOP, SessionLifecycle.CLOSING.next(content(2, false, 1, 0, true)), "durable: pending stay journaled");
    assertEquals(WAIT, SessionLifecycle.CLOSING.next(content(0, false, 0, 1, true)), "outcomes still delivering");
  }

  @Test
  void stoppingWaitsForRecordedOutcomesToBeDelivered() {
    assertEquals(WAIT, SessionLifecycle.STOPPING.next(content(0, false, 0, 2, true)));
    assertEquals(STOP, SessionLifecycle.STOPPING.next(content(1, false, 1, 0, true)));
  }

  @Test
  void passivatingAndRefusingWaitForTheirShardsStop() {
    assertEquals(WAIT, SessionLifecycle.PASSIVATING.next(content(0, false, 0, 0, true)));
    assertEquals(WAIT, SessionLifecycle.REFUSING.next(content(0, false, 0, 0, true)));
  }
}
