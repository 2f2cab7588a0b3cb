package dev.interactions.loadtool;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Which interactions a client has taken on. Every client of a session is shown every interaction, as a person's devices
 * are; like the person, only one of them acts on it: the first to claim it. The others leave it alone, so the fates in
 * the {@link Mix} are what happens, not a race between devices.
 *
 * <p>A claim is kept for {@link #MEMORY} rather than released when the interaction closes: a client that is slow to
 * read may be shown an interaction after another client was already told it closed, and must still see it as claimed.
 */
final class Claims {

  /** Longer than any interaction the tool waits for, plus frames arriving late on a loaded machine. */
  static final Duration MEMORY =
      Requester.PATIENT_TIMEOUT.plus(Requester.HANG_MARGIN).plus(Duration.ofMinutes(1));

  private final ConcurrentMap<String, Long> claimedAtNanos = new ConcurrentHashMap<>();

  /** True for the first caller for {@code interactionId}, false for every later one. */
  boolean claim(String interactionId) {
    return claimedAtNanos.putIfAbsent(interactionId, System.nanoTime()) == null;
  }

  /** Forgets the claims older than {@link #MEMORY}, so a long soak keeps only the recent ones. */
  void forgetOld() {
    long now = System.nanoTime();
    claimedAtNanos.values().removeIf(claimedAt -> now - claimedAt > MEMORY.toNanos());
  }
}
