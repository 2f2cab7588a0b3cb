package dev.interactions.core;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ClusterShardingHealthCheck;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import scala.jdk.javaapi.FutureConverters;

/**
 * The {@code cluster} readiness check: this node is {@code Up} in its cluster and its shard region of sessions is
 * registered with the shard coordinator, so that sessions addressed through it can be reached. Before that, requests
 * would wait in the region's buffer until they time out.
 */
public final class ClusterReadiness implements Readiness.Check {

  private final Cluster cluster;
  private final ClusterShardingHealthCheck sharding;
  private final String typeName;

  public ClusterReadiness(ActorSystem<?> system, EntityTypeKey<?> typeKey) {
    this.cluster = Cluster.get(system);
    this.sharding = new ClusterShardingHealthCheck(system.classicSystem());
    this.typeName = typeKey.name();
  }

  @Override
  public CompletionStage<Readiness.CheckResult> check() {
    MemberStatus status = cluster.selfMember().status();
    if (status != MemberStatus.up()) {
      return CompletableFuture.completedFuture(
          Readiness.CheckResult.fail("this node is " + status.toString().toLowerCase() + " in the cluster, not up"));
    }
    return FutureConverters.asJava(sharding.apply())
        .thenApply(
            registered ->
                Boolean.TRUE.equals(registered)
                    ? Readiness.CheckResult.pass("up, " + typeName + " shard region registered")
                    : Readiness.CheckResult.fail("the " + typeName + " shard region is not registered yet"));
  }
}
