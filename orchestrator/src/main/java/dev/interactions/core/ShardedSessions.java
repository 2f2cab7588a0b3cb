package dev.interactions.core;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * The {@link SessionDirectory} of Cluster Sharding: every session is an entity of type {@link Session#TYPE_KEY},
 * addressed by its id through an {@code EntityRef}, wherever in the cluster it lives.
 *
 * <p>Sharding does what a node-local parent would otherwise do by hand: it routes by id, holds messages for a session
 * that is stopping and hands them to its next incarnation, and, with a durable store, remembers which sessions are
 * alive (in the same journal) so that a restarted node or the node taking over a failed one starts them again and
 * their deadlines run without anybody asking.
 */
public final class ShardedSessions implements SessionDirectory {

  private final ClusterSharding sharding;
  private final EntityTypeKey<Session.Command> typeKey;
  private final ActorSystem<?> system;

  private ShardedSessions(ClusterSharding sharding, EntityTypeKey<Session.Command> typeKey, ActorSystem<?> system) {
    this.sharding = sharding;
    this.typeKey = typeKey;
    this.system = system;
  }

  /** Starts this node's share of the sessions of {@code system} (once per system) and returns their directory. */
  public static ShardedSessions init(ActorSystem<?> system, OrchestratorSettings settings) {
    return init(system, settings, Session.TYPE_KEY);
  }

  /** As {@link #init(ActorSystem, OrchestratorSettings)}, for an entity type of its own (tests with other settings). */
  static ShardedSessions init(
      ActorSystem<?> system, OrchestratorSettings settings, EntityTypeKey<Session.Command> typeKey) {
    ClusterSharding sharding = ClusterSharding.get(system);
    ShardedSessions directory = new ShardedSessions(sharding, typeKey, system);
    StoreSettings store = settings.store();
    RememberedOutcomes outcomes = RememberedOutcomes.of(system, settings);
    sharding.init(
        Entity.of(
                typeKey,
                entity -> Session.create(entity.getEntityId(), settings, directory, outcomes, entity.getShard()))
            .withStopMessage(Session.Stop.INSTANCE)
            .withSettings(
                ClusterShardingSettings.create(system)
                    // Sessions holding pending work are remembered in the sessions' own journal, so they are started
                    // again after a restart or a failover. In memory there is nothing to come back to.
                    .withRememberEntities(store.durable())
                    .withJournalPluginId(store.journalPluginId())
                    .withSnapshotPluginId(store.snapshotPluginId())));
    return directory;
  }

  /** The entity type these sessions are sharded as. */
  public EntityTypeKey<Session.Command> typeKey() {
    return typeKey;
  }

  @Override
  public void tell(String sessionId, Session.Command command) {
    sharding.entityRefFor(typeKey, sessionId).tell(command);
  }

  @Override
  public <R> CompletionStage<R> ask(String sessionId, Function<ActorRef<R>, Session.Command> command, Duration timeout) {
    return Ask.onDispatcher(sharding.entityRefFor(typeKey, sessionId).ask(command::apply, timeout), system);
  }
}
