package dev.interactions.metrics;

import dev.interactions.core.Census;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import kamon.metric.Gauge;

/**
 * The gauges that show the live actor tree: sessions, connections by transport, interaction actors, and the heap after
 * the last collection. Under churn these lines must stay flat; one that climbs is a leak.
 */
final class CensusGauges {

  private final Census census;
  private final Gauge sessions = InteractionMetrics.SESSIONS_ALIVE.withoutTags();
  private final Gauge pending = InteractionMetrics.PENDING.withoutTags();
  private final Gauge heapAfterGc = InteractionMetrics.HEAP_AFTER_GC.withoutTags();
  private final Map<Census.Transport, Gauge> connections = new EnumMap<>(Census.Transport.class);

  CensusGauges(Census census) {
    this.census = census;
    for (Census.Transport transport : Census.Transport.values()) {
      connections.put(
          transport,
          InteractionMetrics.CONNECTIONS_ALIVE.withTag(
              InteractionMetrics.TRANSPORT, transport.name().toLowerCase(Locale.ROOT)));
    }
  }

  /** Sets every gauge to what the census and the heap pools say now. */
  void update() {
    sessions.update(census.sessions());
    pending.update(census.interactions());
    connections.forEach((transport, gauge) -> gauge.update(census.connections(transport)));
    heapAfterGc.update(HeapAfterGc.bytes());
  }
}
