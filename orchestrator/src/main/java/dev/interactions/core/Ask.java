package dev.interactions.core;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.japi.function.Function;

/**
 * {@link AskPattern#ask} whose result is a plain {@link CompletableFuture} completed on the actor system's dispatcher.
 *
 * <p>The stage {@code AskPattern} returns runs every callback asynchronously on the common fork-join pool, and where
 * that pool has a parallelism of 1 (any 2-core machine) the JDK falls back to starting a new thread per callback: one
 * thread per request. Completing a plain future from the dispatcher avoids that for every caller downstream.
 */
public final class Ask {

  private Ask() {}

  /** Asks {@code target} the message built by {@code message}; fails with a timeout after {@code timeout}. */
  public static <Req, Res> CompletableFuture<Res> ask(
      ActorRef<Req> target, Function<ActorRef<Res>, Req> message, Duration timeout, ActorSystem<?> system) {
    return onDispatcher(AskPattern.ask(target, message, timeout, system.scheduler()), system);
  }

  /** {@code reply} as a plain future completed on {@code system}'s dispatcher (any ask's stage: see above). */
  public static <Res> CompletableFuture<Res> onDispatcher(CompletionStage<Res> reply, ActorSystem<?> system) {
    CompletableFuture<Res> result = new CompletableFuture<>();
    Executor dispatcher = system.executionContext();
    reply.whenCompleteAsync(
        (value, failure) -> {
          if (failure != null) {
            result.completeExceptionally(failure);
          } else {
            result.complete(value);
          }
        },
        dispatcher);
    return result;
  }
}
