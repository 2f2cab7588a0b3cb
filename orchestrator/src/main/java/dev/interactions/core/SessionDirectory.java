package dev.interactions.core;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The one seam through which anything addresses a session by id.
 *
 * <p>It is backed by Cluster Sharding ({@link ShardedSessions}), on one node as on many: the {@link Session} and
 * {@link Interaction} behaviors are the same wherever the session runs.
 */
public interface SessionDirectory {

  /** Delivers {@code command} to session {@code sessionId}, starting the session if it is not running. */
  void tell(String sessionId, Session.Command command);

  /**
   * Sends the command built by {@code command} to session {@code sessionId} and completes with its reply, or fails with
   * a {@link java.util.concurrent.TimeoutException} after {@code timeout}.
   */
  <R> CompletionStage<R> ask(String sessionId, Function<ActorRef<R>, Session.Command> command, Duration timeout);
}
