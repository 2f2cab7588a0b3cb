package dev.interactions.loadtool;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * What the server reported about itself at one moment.
 *
 * <p>Sessions, connections and pending interactions are the leak check: after the load stops they must come back to
 * their values before it started. Heap, threads and file descriptors are reported only: the heap moves with every GC and
 * pools keep threads and sockets for a while, so a strict comparison would fail healthy servers.
 *
 * @param heapAfterGcBytes empty when the server does not export it; likewise {@code threads} and
 *     {@code openFileDescriptors}
 */
public record ServerGauges(
    long sessionsAlive,
    long connectionsAlive,
    long pendingInteractions,
    OptionalLong heapAfterGcBytes,
    OptionalLong threads,
    OptionalLong openFileDescriptors) {

  /**
   * The checked gauges that are above their value in {@code baseline}, described for a person ({@code "sessions alive
   * 12 > 0"}); empty when the server is back to its baseline.
   */
  public List<String> aboveBaseline(ServerGauges baseline) {
    List<String> above = new ArrayList<>();
    compare("sessions alive", sessionsAlive, baseline.sessionsAlive, above);
    compare("connections alive", connectionsAlive, baseline.connectionsAlive, above);
    compare("pending interactions", pendingInteractions, baseline.pendingInteractions, above);
    return above;
  }

  /** One line for the progress display. */
  public String summary() {
    return "sessions "
        + sessionsAlive
        + " connections "
        + connectionsAlive
        + " pending "
        + pendingInteractions
        + heapAfterGcBytes.stream().mapToObj(bytes -> " heap " + Figures.mebibytes(bytes)).findFirst().orElse("")
        + threads.stream().mapToObj(count -> " threads " + count).findFirst().orElse("")
        + openFileDescriptors.stream().mapToObj(count -> " fds " + count).findFirst().orElse("");
  }

  private static void compare(String what, long now, long baseline, List<String> above) {
    if (now > baseline) {
      above.add(what + " " + now + " > " + baseline);
    }
  }
}
