package dev.interactions.metrics;

import kamon.Kamon;
import kamon.metric.MeasurementUnit;
import kamon.metric.Metric;

/**
 * Every metric of our own, as Kamon names it (Prometheus renders the dots as underscores, adds {@code _total} to
 * counters and {@code _seconds} or {@code _bytes} to timers and byte gauges). Listed with their tags and meaning in
 * {@code docs/METRICS.md}.
 *
 * <p>Tags come from small fixed sets (outcome codes, refusals, transports, directions), never from an id: a series per
 * session or interaction would grow without bound.
 */
final class InteractionMetrics {

  static final String TRANSPORT = "transport";
  static final String DIRECTION = "direction";

  static final Metric.Gauge SESSIONS_ALIVE =
      Kamon.gauge("interactions.sessions.alive", "Live session actors");
  static final Metric.Gauge CONNECTIONS_ALIVE =
      Kamon.gauge("interactions.connections.alive", "Live connection actors, by transport");
  static final Metric.Gauge PENDING =
      Kamon.gauge("interactions.pending", "Live interaction actors: pending, or closed and about to stop");
  static final Metric.Gauge HEAP_AFTER_GC =
      Kamon.gauge(
          "interactions.jvm.heap-after-gc",
          "Heap in use right after the last collection of each heap pool, summed",
          MeasurementUnit.information().bytes());

  static final String STATUS = "status";
  static final Metric.Gauge CLUSTER_MEMBERS =
      Kamon.gauge("interactions.cluster.members", "Members of the cluster as this node sees them, by status");
  static final Metric.Gauge CLUSTER_UNREACHABLE =
      Kamon.gauge("interactions.cluster.unreachable", "Members this node cannot reach");
  static final Metric.Gauge SHARDS_HOSTED =
      Kamon.gauge("interactions.shards.hosted", "Shards of sessions this node hosts");

  static final Metric.Counter COMPLETED =
      Kamon.counter("interactions.completed", "Interactions closed, by outcome");
  static final Metric.Timer OUTCOME_TIME =
      Kamon.timer("interactions.outcome.time", "Time from request to outcome");
  static final Metric.Counter REFUSED =
      Kamon.counter("interactions.refused", "Requests and attachments refused, by reason");
  static final Metric.Timer TIME_TO_SHOWN =
      Kamon.timer("interactions.shown.time", "Time from request to the first device showing it, by kind");
  static final Metric.Timer TIME_TO_ANSWER =
      Kamon.timer("interactions.answer.time", "Time from request to the answer or rejection, by kind");
  static final Metric.Counter INVALID_ANSWERS =
      Kamon.counter("interactions.answers.invalid", "Answers refused for not fitting their interaction's answer schema");
  static final Metric.Timer JOURNAL_WRITE_TIME =
      Kamon.timer("interactions.journal.write.time", "Time from issuing a session's journal write to its confirmation");
  static final Metric.Timer RECOVERY_TIME =
      Kamon.timer("interactions.recovery.time", "Time a session took to recover its state from the journal");

  static final Metric.Counter FRAMES =
      Kamon.counter("interactions.frames", "Client messages received (in) and server messages sent (out)");
  static final Metric.Counter FRAME_BYTES =
      Kamon.counter("interactions.frame.bytes", "UTF-8 bytes of the frames counted in interactions.frames");
  static final Metric.Counter SLOW_CONSUMER_DISCONNECTS =
      Kamon.counter(
          "interactions.slow-consumer.disconnects", "Clients disconnected because their outbound buffer overflowed");

  private InteractionMetrics() {}
}
