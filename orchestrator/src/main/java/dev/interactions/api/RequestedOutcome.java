package dev.interactions.api;

import dev.interactions.core.InteractionOutcome;
import dev.interactions.core.InteractionRefusedException;
import dev.interactions.core.InteractionSuspendedException;
import dev.interactions.core.RequestRefused;
import dev.interactions.core.RequestResult;
import dev.interactions.core.Session;
import dev.interactions.core.SessionDirectory;
import dev.interactions.core.Suspended;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.pattern.PromiseRef;
import org.apache.pekko.util.Timeout;
import scala.jdk.javaapi.FutureConverters;

/**
 * The outcome of one interaction requested through the Java API: a future that completes exactly once, and the
 * one-shot references its result is sent to.
 *
 * <p>When the session incarnation serving the interaction stops before its outcome (its node hands it to another one,
 * or a journal failure stops it), the interaction stays pending in the journal and the requester hears {@link
 * Suspended}. Unless this node is shutting down itself, the future does not give up then: after {@code followDelay} it
 * follows the interaction to the session's next incarnation ({@link Session.FollowInteraction}), as often as needed,
 * until the deadline plus the outcome slack.
 */
final class RequestedOutcome {

  private final ActorSystem<?> system;
  private final SessionDirectory sessions;
  private final String sessionId;
  private final Duration followDelay;
  private final BooleanSupplier shuttingDown;
  private final CompletableFuture<InteractionOutcome> future = new CompletableFuture<>();
  private volatile long giveUpAtNanos;

  /**
   * @param sessions where the session is found again
   * @param followDelay how long after a {@link Suspended} the interaction is followed
   * @param shuttingDown whether this node is shutting down, when following would be pointless
   */
  RequestedOutcome(
      ActorSystem<?> system,
      SessionDirectory sessions,
      String sessionId,
      Duration followDelay,
      BooleanSupplier shuttingDown) {
    this.system = system;
    this.sessions = sessions;
    this.sessionId = sessionId;
    this.followDelay = followDelay;
    this.shuttingDown = shuttingDown;
  }

  /** The future the caller holds. */
  CompletableFuture<InteractionOutcome> future() {
    return future;
  }

  /** The requester's reference, which gives up {@code waitAtMost} from now (the deadline plus the outcome slack). */
  ActorRef<RequestResult> requester(Duration waitAtMost) {
    giveUpAtNanos = System.nanoTime() + waitAtMost.toNanos();
    return reference(waitAtMost);
  }

  private ActorRef<RequestResult> reference(Duration waitAtMost) {
    PromiseRef<Object> promise = PromiseRef.apply(Adapter.toClassic(system), Timeout.create(waitAtMost));
    FutureConverters.asJava(promise.future())
        .whenCompleteAsync((result, failure) -> onResult(result, failure), system.executionContext());
    return Adapter.toTyped(promise.ref());
  }

  private void onResult(Object result, Throwable failure) {
    if (result instanceof InteractionOutcome ended) {
      future.complete(ended);
    } else if (result instanceof RequestRefused refused) {
      future.completeExceptionally(new InteractionRefusedException(refused));
    } else if (result instanceof Suspended suspended) {
      onSuspended(suspended);
    } else {
      future.completeExceptionally(failure);
    }
  }

  private void onSuspended(Suspended suspended) {
    Duration left = Duration.ofNanos(giveUpAtNanos - System.nanoTime()).minus(followDelay);
    if (future.isDone()) {
      return;
    }
    if (shuttingDown.getAsBoolean() || left.isNegative() || left.isZero()) {
      future.completeExceptionally(new InteractionSuspendedException(suspended));
      return;
    }
    system
        .scheduler()
        .scheduleOnce(
            followDelay,
            () -> {
              if (!future.isDone()) {
                sessions.tell(sessionId, new Session.FollowInteraction(suspended.interactionId(), reference(left)));
              }
            },
            system.executionContext());
  }
}
