package dev.interactions.loadtool;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which interactions a client has taken on. Every client of a session is shown every interaction, as a person's devices
 * are; like the person, only one of them acts on it: the first to claim it. The others leave it alone, so the fates in
 * the {@link Mix} are what happens, not a race between devices.
 *
 * <p>A claim is released when a client is sent the interaction's {@code closed} frame or its requester learns the
 * outcome, whichever comes first, so the set holds only interactions in flight.
 */
final class Claims {

  private final Set<String> claimed = ConcurrentHashMap.newKeySet();

  /** True for the first caller for {@code interactionId}, false for every later one until it is released. */
  boolean claim(String interactionId) {
    return claimed.add(interactionId);
  }

  void release(String interactionId) {
    claimed.remove(interactionId);
  }

  int size() {
    return claimed.size();
  }
}
