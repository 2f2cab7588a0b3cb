package dev.interactions.loadtool;

/**
 * The Prometheus names of the server gauges the tool reads: the one place to change when the server's names change.
 *
 * <p>Series of one name are summed over their labels ({@code interactions_connections_alive} has one per transport).
 *
 * @param sessionsAlive live session actors (required: the leak check needs it)
 * @param connectionsAlive live WebSocket and SSE connections (required)
 * @param pendingInteractions pending interactions (required)
 * @param heapAfterGcBytes heap used after the last GC (optional: reported, not checked)
 * @param threads threads of the server process, from Kamon's JVM metrics (optional)
 * @param openFileDescriptors open file descriptors of the server process, from Kamon's process metrics (optional)
 */
public record GaugeNames(
    String sessionsAlive,
    String connectionsAlive,
    String pendingInteractions,
    String heapAfterGcBytes,
    String threads,
    String openFileDescriptors) {

  /** The names the server exports ({@code GET /metrics}), with Kamon's system metrics for threads and descriptors. */
  public static final GaugeNames SERVER =
      new GaugeNames(
          "interactions_sessions_alive",
          "interactions_connections_alive",
          "interactions_pending",
          "interactions_jvm_heap_after_gc_bytes",
          "jvm_threads_total",
          "process_ulimit_file_descriptors_used");
}
