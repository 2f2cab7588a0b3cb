package dev.interactions.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The parent of every session on a single node, and the node-local implementation of the {@link SessionDirectory}.
 *
 * <p>Sessions are found as children by name, the actor tree being the only registry. It enforces the per-node session
 * bound, and it passivates sessions the way Cluster Sharding does: once a session asks to stop, messages for it are held
 * here until it has terminated, then handed to a fresh incarnation. The only per-session state it keeps is that holding
 * area, which exists for the few microseconds a session takes to stop.
 */
public final class Sessions extends AbstractBehavior<Sessions.Command> {

  /** Messages the session parent understands. */
  public sealed interface Command {}

  /** Delivers {@code command} to session {@code sessionId}, starting it if needed. */
  public record Route(String sessionId, Session.Command command) implements Command {}

  /**
   * Ends every pending interaction as {@code shutdown} and stops every session, then replies. From then on it refuses
   * every command with {@link Refusal#SHUTTING_DOWN} rather than stopping, so that no late caller waits in vain.
   */
  public record Shutdown(ActorRef<Done> replyTo) implements Command {}

  private record Passivate(String sessionId, ActorRef<Session.Command> session) implements Command {}

  private record SessionTerminated(String sessionId) implements Command {}

  /** From a session: it now holds pending work ({@code active}) or nothing. */
  private record RosterChange(String sessionId, boolean active) implements Command {}

  /** The roster recorded the last update. */
  private enum RosterUpdated implements Command {
    INSTANCE
  }

  /** A durable session that stopped on a failure is due to start again. */
  private record Restart(String sessionId) implements Command {}

  /** From the roster after a restart: these sessions held pending work, start them again. */
  private record Resume(Set<String> sessionIds) implements Command {}

  /** The session parent, to be spawned once per node. */
  public static Behavior<Command> create(OrchestratorSettings settings) {
    return Behaviors.setup(context -> new Sessions(context, settings));
  }

  /** A {@link SessionDirectory} that routes through the session parent {@code sessions}. */
  public static SessionDirectory directory(ActorRef<Command> sessions, ActorSystem<?> system) {
    return new Directory(sessions, system);
  }

  private record Directory(ActorRef<Command> sessions, ActorSystem<?> system) implements SessionDirectory {
    @Override
    public void tell(String sessionId, Session.Command command) {
      sessions.tell(new Route(sessionId, command));
    }

    @Override
    public <R> CompletionStage<R> ask(
        String sessionId, Function<ActorRef<R>, Session.Command> command, Duration timeout) {
      return Ask.ask(sessions, (ActorRef<R> replyTo) -> new Route(sessionId, command.apply(replyTo)), timeout, system);
    }
  }

  private final OrchestratorSettings settings;
  private final SessionDirectory self;
  /** The durable roster of sessions with pending work; absent when sessions are kept in memory only. */
  private final ActorRef<SessionRoster.Command> roster;
  private final Session.Roster sessionRoster;
  private final ActorRef<Done> rosterUpdated;
  /** Roster changes gathered while the roster records the previous update; bounded by the live sessions. */
  private final Set<String> rosterActive = new HashSet<>();
  private final Set<String> rosterIdle = new HashSet<>();
  private boolean rosterWriting;
  /** Durable sessions that stopped on a failure and wait for their restart; bounded by the sessions of this node. */
  private final Set<String> restarting = new HashSet<>();
  private final Map<String, List<Session.Command>> passivating = new HashMap<>();
  private final List<ActorRef<Done>> shutdownWaiters = new ArrayList<>();
  private int live;
  private boolean shuttingDown;

  private Sessions(ActorContext<Command> context, OrchestratorSettings settings) {
    super(context);
    this.settings = settings;
    this.self = directory(context.getSelf(), context.getSystem());
    if (settings.store().durable()) {
      this.roster =
          context.spawnAnonymous(
              SessionRoster.create(
                  context.getSystem().name(),
                  settings.store(),
                  context.messageAdapter(SessionRoster.Recovered.class, recovered -> new Resume(recovered.sessionIds()))));
      ActorRef<Command> self = context.getSelf();
      this.sessionRoster =
          new Session.Roster() {
            @Override
            public void active(String sessionId) {
              self.tell(new RosterChange(sessionId, true));
            }

            @Override
            public void idle(String sessionId) {
              self.tell(new RosterChange(sessionId, false));
            }
          };
      this.rosterUpdated = context.messageAdapter(Done.class, done -> RosterUpdated.INSTANCE);
    } else {
      this.roster = null;
      this.sessionRoster = Session.Roster.NONE;
      this.rosterUpdated = null;
    }
  }


  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Route.class, this::onRoute)
        .onMessage(Passivate.class, this::onPassivate)
        .onMessage(SessionTerminated.class, this::onSessionTerminated)
        .onMessage(Shutdown.class, this::onShutdown)
        .onMessage(Resume.class, this::onResume)
        .onMessage(Restart.class, this::onRestart)
        .onMessage(RosterChange.class, this::onRosterChange)
        .onMessageEquals(RosterUpdated.INSTANCE, this::onRosterUpdated)
        .build();
  }

  private Behavior<Command> onRoute(Route route) {
    String sessionId = route.sessionId();
    if (shuttingDown) {
      route.command().refuse(sessionId, RequestRefused.shuttingDown());
      return this;
    }
    List<Session.Command> held = passivating.get(sessionId);
    if (held != null) {
      held.add(route.command());
      return this;
    }
    if (restarting.contains(sessionId)) {
      route
          .command()
          .refuse(
              sessionId,
              new RequestRefused(
                  Refusal.UNAVAILABLE,
                  "session " + sessionId + " is restarting after a journal failure; retry in "
                      + settings.store().restartDelay().toMillis() + " ms"));
      return this;
    }
    Optional<ActorRef<Session.Command>> running = getContext().getChild(sessionId).map(ActorRef::unsafeUpcast);
    if (running.isPresent()) {
      running.get().tell(route.command());
    } else if (live >= settings.maxSessions()) {
      route
          .command()
          .refuse(
              sessionId,
              new RequestRefused(
                  Refusal.SESSION_LIMIT, "this node already holds " + live + " sessions, the configured maximum"));
    } else {
      spawn(sessionId).tell(route.command());
    }
    return this;
  }

  private Behavior<Command> onRestart(Restart restart) {
    restarting.remove(restart.sessionId());
    if (!shuttingDown && getContext().getChild(restart.sessionId()).isEmpty()) {
      spawn(restart.sessionId()).tell(Session.Resume.INSTANCE);
    }
    return this;
  }

  private Behavior<Command> onResume(Resume resume) {
    int started = 0;
    for (String sessionId : resume.sessionIds()) {
      if (shuttingDown || live >= settings.maxSessions()) {
        getContext().getLog().warn("not resuming {} sessions: the node is full or shutting down", resume.sessionIds().size() - started);
        break;
      }
      if (getContext().getChild(sessionId).isEmpty() && !passivating.containsKey(sessionId)) {
        spawn(sessionId).tell(Session.Resume.INSTANCE);
        started++;
      }
    }
    getContext().getLog().info("resuming {} sessions with pending interactions", started);
    return this;
  }

  private Behavior<Command> onPassivate(Passivate passivate) {
    passivating.put(passivate.sessionId(), new ArrayList<>());
    passivate.session().tell(Session.Stop.INSTANCE);
    return this;
  }

  private Behavior<Command> onSessionTerminated(SessionTerminated terminated) {
    live--;
    List<Session.Command> held = passivating.remove(terminated.sessionId());
    if (held == null && !shuttingDown && settings.store().durable()) {
      // Not passivated, not closed: it failed (its journal, most likely). It holds pending interactions whose deadlines
      // only run while it lives, so it is started again, after a delay that spares a database that is down.
      getContext().getLog().warn("session {} stopped unexpectedly; restarting it in {}", terminated.sessionId(), settings.store().restartDelay());
      restarting.add(terminated.sessionId());
      getContext().scheduleOnce(settings.store().restartDelay(), getContext().getSelf(), new Restart(terminated.sessionId()));
    }
    if (held != null && !held.isEmpty()) {
      if (shuttingDown) {
        held.forEach(command -> command.refuse(terminated.sessionId(), RequestRefused.shuttingDown()));
      } else {
        ActorRef<Session.Command> fresh = spawn(terminated.sessionId());
        held.forEach(fresh::tell);
      }
    }
    return shutdownCompleteIfIdle();
  }

  private Behavior<Command> onShutdown(Shutdown shutdown) {
    shuttingDown = true;
    shutdownWaiters.add(shutdown.replyTo());
    getContext()
        .getChildren()
        .forEach(
            child -> {
              if (!child.equals(roster)) {
                child.<Session.Command>unsafeUpcast().tell(Session.Close.INSTANCE);
              }
            });
    return shutdownCompleteIfIdle();
  }

  private Behavior<Command> onRosterChange(RosterChange change) {
    if (change.active()) {
      rosterIdle.remove(change.sessionId());
      rosterActive.add(change.sessionId());
    } else {
      rosterActive.remove(change.sessionId());
      rosterIdle.add(change.sessionId());
    }
    writeRosterIfIdle();
    return this;
  }

  private Behavior<Command> onRosterUpdated() {
    rosterWriting = false;
    writeRosterIfIdle();
    return shutdownCompleteIfIdle();
  }

  /** One roster update at a time, carrying everything gathered since the previous one. */
  private void writeRosterIfIdle() {
    if (!rosterWriting && (!rosterActive.isEmpty() || !rosterIdle.isEmpty())) {
      roster.tell(new SessionRoster.Update(Set.copyOf(rosterActive), Set.copyOf(rosterIdle), rosterUpdated));
      rosterActive.clear();
      rosterIdle.clear();
      rosterWriting = true;
    }
  }

  /** Shutdown is complete once every session has stopped and the roster has recorded everything they told it. */
  private Behavior<Command> shutdownCompleteIfIdle() {
    boolean rosterDone = roster == null || (!rosterWriting && rosterActive.isEmpty() && rosterIdle.isEmpty());
    if (shuttingDown && live == 0 && rosterDone) {
      shutdownWaiters.forEach(waiter -> waiter.tell(Done.getInstance()));
      shutdownWaiters.clear();
    }
    return this;
  }

  private ActorRef<Session.Command> spawn(String sessionId) {
    ActorRef<Command> parent = getContext().getSelf();
    ActorRef<Session.Command> session =
        getContext()
            .spawn(
                Session.create(
                    sessionId, settings, self, ref -> parent.tell(new Passivate(sessionId, ref)), sessionRoster),
                sessionId);
    getContext().watchWith(session, new SessionTerminated(sessionId));
    live++;
    return session;
  }
}
