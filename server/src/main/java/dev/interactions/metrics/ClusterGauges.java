package dev.interactions.metrics;

import dev.interactions.core.Ask;
import dev.interactions.core.Session;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import kamon.metric.Gauge;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion.CurrentShardRegionState;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The gauges of this node's place in the cluster: members by status, unreachable members, and the shards of sessions it
 * hosts (the sessions themselves are {@code interactions_sessions_alive}). Never tagged by a member's address or an id.
 */
final class ClusterGauges {

  /** The statuses a member goes through, as the {@code status} tag names them. */
  private enum Status {
    JOINING,
    WEAKLY_UP,
    UP,
    LEAVING,
    EXITING,
    DOWN,
    REMOVED,
    SHUTTING_DOWN,
    SHUT_DOWN
  }

  private final ActorSystem<?> system;
  private final Cluster cluster;
  private final Map<Status, Gauge> members = new EnumMap<>(Status.class);
  private final Gauge unreachable = InteractionMetrics.CLUSTER_UNREACHABLE.withoutTags();
  private final Gauge shards = InteractionMetrics.SHARDS_HOSTED.withoutTags();
  private final Duration askTimeout;

  ClusterGauges(ActorSystem<?> system, Duration askTimeout) {
    this.system = system;
    this.cluster = Cluster.get(system);
    this.askTimeout = askTimeout;
    for (Status status : Status.values()) {
      members.put(status, InteractionMetrics.CLUSTER_MEMBERS.withTag(InteractionMetrics.STATUS, status.name().toLowerCase(Locale.ROOT)));
    }
  }

  /** Sets the membership gauges now, and the shard gauge when the local shard region answers. */
  void update() {
    Map<Status, Integer> counts = new EnumMap<>(Status.class);
    for (Member member : cluster.state().getMembers()) {
      counts.merge(status(member.status()), 1, Integer::sum);
    }
    members.forEach((status, gauge) -> gauge.update(counts.getOrDefault(status, 0)));
    unreachable.update(cluster.state().getUnreachable().size());
    Ask.<ClusterShardingQuery, CurrentShardRegionState>ask(
            ClusterSharding.get(system).shardState(),
            replyTo -> new GetShardRegionState(Session.TYPE_KEY, replyTo),
            askTimeout,
            system)
        .thenAccept(region -> shards.update(region.getShards().size()));
  }

  private static Status status(MemberStatus status) {
    if (status == MemberStatus.joining()) {
      return Status.JOINING;
    } else if (status == MemberStatus.weaklyUp()) {
      return Status.WEAKLY_UP;
    } else if (status == MemberStatus.up()) {
      return Status.UP;
    } else if (status == MemberStatus.leaving()) {
      return Status.LEAVING;
    } else if (status == MemberStatus.exiting()) {
      return Status.EXITING;
    } else if (status == MemberStatus.down()) {
      return Status.DOWN;
    } else if (status == MemberStatus.shuttingDown()) {
      return Status.SHUTTING_DOWN;
    } else if (status == MemberStatus.shutDown()) {
      return Status.SHUT_DOWN;
    }
    return Status.REMOVED;
  }
}
