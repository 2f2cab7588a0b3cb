package dev.interactions.core;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.slf4j.event.Level;

/**
 * The durable list of a node's sessions that hold pending work, so that a restarted node starts them again and their
 * deadlines and grace periods run even if no client or requester comes back (what Cluster Sharding calls remembering
 * entities). It is a child of {@link Sessions}, exists only with a durable store, and holds ids only: at most one per
 * live session, since a session leaves it when it passivates.
 *
 * <p>A session joins it after its first request is recorded; a crash in between leaves that session to be started by
 * the next message addressed to it, which then finds its pending work in its own journal.
 */
public final class SessionRoster
    extends EventSourcedBehavior<SessionRoster.Command, SessionRoster.Event, SessionRoster.Members> {

  /** Messages the roster understands. */
  public sealed interface Command {}

  /**
   * Records that the sessions {@code active} hold pending work and the sessions {@code idle} hold nothing any more, in
   * one write, then replies. Its host sends one update at a time and gathers what happens meanwhile into the next, so
   * the roster never has more than one command waiting however many sessions start at once.
   */
  public record Update(Set<String> active, Set<String> idle, ActorRef<Done> replyTo) implements Command {}

  /** What the roster records. */
  public sealed interface Event extends JournalRecord {}

  /** Session {@code sessionId} joined. */
  public record Joined(String sessionId) implements Event {}

  /** Session {@code sessionId} left. */
  public record Left(String sessionId) implements Event {}

  /** Told to the roster's parent once it has recovered: the sessions to start again. */
  public record Recovered(Set<String> sessionIds) {}

  /** The sessions on the roster; also its snapshot. */
  public static final class Members implements JournalRecord {
    private final LinkedHashSet<String> sessionIds;

    @JsonCreator
    Members(@JsonProperty("sessionIds") LinkedHashSet<String> sessionIds) {
      this.sessionIds = sessionIds == null ? new LinkedHashSet<>() : sessionIds;
    }

    /** The ids of the sessions holding pending work. */
    @JsonProperty("sessionIds")
    public Set<String> sessionIds() {
      return sessionIds;
    }
  }

  /**
   * @param nodeId names this node's roster in the journal
   * @param store where it is recorded
   * @param resume told the roster's sessions once it has recovered, so that they are started again
   */
  public static Behavior<Command> create(String nodeId, StoreSettings store, ActorRef<Recovered> resume) {
    return new SessionRoster(nodeId, store, resume);
  }

  private final StoreSettings store;
  private final ActorRef<Recovered> resume;

  private SessionRoster(String nodeId, StoreSettings store, ActorRef<Recovered> resume) {
    // Retried with backoff on a journal failure (including a schema not yet created at the first start): the roster must
    // not give up, or sessions with pending work would not be resumed after the next restart.
    super(
        PersistenceId.of("SessionRoster", nodeId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2)
            .withLogLevel(Level.WARN)
            .withCriticalLogLevel(Level.ERROR, 10));
    this.store = store;
    this.resume = resume;
  }

  @Override
  public String journalPluginId() {
    return store.journalPluginId();
  }

  @Override
  public String snapshotPluginId() {
    return store.snapshotPluginId();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // The roster needs no history: events before the latest snapshots are deleted.
    return RetentionCriteria.snapshotEvery(store.snapshotEvery() * 10, 2).withDeleteEventsOnSnapshot();
  }

  @Override
  public Members emptyState() {
    return new Members(new LinkedHashSet<>());
  }

  @Override
  public CommandHandler<Command, Event, Members> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Update.class, this::onUpdate)
        .build();
  }

  private Effect<Event, Members> onUpdate(Members members, Update update) {
    List<Event> events = new ArrayList<>();
    update.active().stream().filter(id -> !members.sessionIds().contains(id)).forEach(id -> events.add(new Joined(id)));
    update.idle().stream().filter(id -> members.sessionIds().contains(id)).forEach(id -> events.add(new Left(id)));
    return events.isEmpty()
        ? Effect().reply(update.replyTo(), Done.getInstance())
        : Effect().persist(events).thenReply(update.replyTo(), after -> Done.getInstance());
  }

  @Override
  public EventHandler<Members, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(
            Joined.class,
            (members, joined) -> {
              members.sessionIds().add(joined.sessionId());
              return members;
            })
        .onEvent(
            Left.class,
            (members, left) -> {
              members.sessionIds().remove(left.sessionId());
              return members;
            })
        .build();
  }

  @Override
  public SignalHandler<Members> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), members -> resume.tell(new Recovered(Set.copyOf(members.sessionIds()))))
        .build();
  }
}
