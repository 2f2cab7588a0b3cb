package dev.interactions.metrics;

import dev.interactions.transport.Traffic;
import dev.interactions.transport.Transport;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import kamon.metric.Counter;
import kamon.tag.TagSet;

/** Client traffic as Kamon counters: frames and bytes by direction (and transport), slow-consumer disconnects. */
final class KamonTraffic implements Traffic {

  private record Direction(Counter frames, Counter bytes) {}

  /** Resolved once: these are hit on every frame. */
  private final Map<Transport, Direction> in = new EnumMap<>(Transport.class);

  private final Map<Transport, Direction> out = new EnumMap<>(Transport.class);
  private final Map<Transport, Counter> slowConsumers = new EnumMap<>(Transport.class);

  KamonTraffic() {
    for (Transport transport : Transport.values()) {
      in.put(transport, direction("in", transport));
      out.put(transport, direction("out", transport));
      slowConsumers.put(
          transport,
          InteractionMetrics.SLOW_CONSUMER_DISCONNECTS.withTag(InteractionMetrics.TRANSPORT, tag(transport)));
    }
  }

  static String tag(Transport transport) {
    return transport.census().name().toLowerCase(Locale.ROOT);
  }

  private static Direction direction(String direction, Transport transport) {
    return new Direction(
        // Both tags at once: each withTag call registers an instrument, and a direction-only series would remain.
        InteractionMetrics.FRAMES.withTags(
            TagSet.of(InteractionMetrics.DIRECTION, direction).withTag(InteractionMetrics.TRANSPORT, tag(transport))),
        InteractionMetrics.FRAME_BYTES.withTag(InteractionMetrics.DIRECTION, direction));
  }

  @Override
  public void received(Transport transport, long bytes) {
    count(in.get(transport), bytes);
  }

  @Override
  public void sent(Transport transport, long bytes) {
    count(out.get(transport), bytes);
  }

  @Override
  public void slowConsumerDisconnected(Transport transport) {
    slowConsumers.get(transport).increment();
  }

  private static void count(Direction direction, long bytes) {
    direction.frames().increment();
    direction.bytes().increment(bytes);
  }
}
