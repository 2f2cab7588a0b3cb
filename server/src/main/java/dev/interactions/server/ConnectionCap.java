package dev.interactions.server;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * How many connections the server may hold, checked against the process's file-descriptor limit.
 *
 * <p>Every TCP connection is a file descriptor. When {@code pekko.http.server.max-connections} is above what {@code
 * ulimit -n} leaves, a flood of connections exhausts the descriptors before the cap applies: accepts fail, the
 * database pool cannot open a connection, and nobody gets in. So the TCP cap is lowered to the limit minus a headroom
 * for the process's own files, and the cap of client streams (WebSocket and SSE) to a share of that, so that plain
 * HTTP requests (health checks, requesters) always find a free slot.
 *
 * @param tcp cap of open TCP connections (Pekko HTTP's {@code max-connections})
 * @param streams cap of WebSocket and SSE connections ({@code orchestrator.transport.max-connections})
 * @param warnings what was lowered and why, for the operator; empty when the configuration fits
 */
public record ConnectionCap(int tcp, int streams, List<String> warnings) {

  /** The smallest TCP cap worth starting with; below it the limit is a misconfiguration, not a tuning choice. */
  static final int MINIMUM_TCP = 64;

  /**
   * Fits the configured caps to {@code fileDescriptorLimit} (empty when the platform does not tell).
   *
   * @throws IllegalStateException if the limit leaves fewer than {@value #MINIMUM_TCP} connections after the headroom
   */
  public static ConnectionCap fit(int tcp, int streams, OptionalLong fileDescriptorLimit, int headroom) {
    if (fileDescriptorLimit.isEmpty()) {
      return new ConnectionCap(tcp, streams, List.of());
    }
    long available = fileDescriptorLimit.getAsLong() - headroom;
    if (available < MINIMUM_TCP) {
      throw new IllegalStateException(
          "the file-descriptor limit (ulimit -n) is "
              + fileDescriptorLimit.getAsLong()
              + ", which leaves "
              + Math.max(available, 0)
              + " connections after orchestrator.http.file-descriptor-headroom = "
              + headroom
              + "; raise ulimit -n");
    }
    int fittedTcp = (int) Math.min(tcp, available);
    // Keep a twentieth of the TCP slots (at least 16) for plain HTTP requests when streams would fill them all.
    int fittedStreams = Math.min(streams, fittedTcp - Math.max(16, fittedTcp / 20));
    String why =
        " to fit the file-descriptor limit (ulimit -n) of "
            + fileDescriptorLimit.getAsLong()
            + " minus orchestrator.http.file-descriptor-headroom = "
            + headroom
            + "; raise ulimit -n to keep it";
    List<String> warnings = new ArrayList<>();
    if (fittedTcp != tcp) {
      warnings.add("pekko.http.server.max-connections lowered from " + tcp + " to " + fittedTcp + why);
    }
    if (fittedStreams != streams) {
      warnings.add("orchestrator.transport.max-connections lowered from " + streams + " to " + fittedStreams + why);
    }
    return new ConnectionCap(fittedTcp, fittedStreams, List.copyOf(warnings));
  }

  /** This process's file-descriptor limit, where the platform reports it (Unix-like systems). */
  public static OptionalLong processFileDescriptorLimit() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.UnixOperatingSystemMXBean unix
        ? OptionalLong.of(unix.getMaxFileDescriptorCount())
        : OptionalLong.empty();
  }
}
