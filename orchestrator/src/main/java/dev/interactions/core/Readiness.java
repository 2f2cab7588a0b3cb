package dev.interactions.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The named checks that must all pass before this node takes traffic (a journal that answers, cluster membership, a
 * bound port). Any module that knows the actor system registers its own; a host (the server's {@code /health/ready})
 * evaluates them all, each bounded by a timeout, whenever it is asked.
 *
 * <p>Checks are evaluated on demand, never cached: a probe sees the state of now, and a check that hangs costs its
 * timeout, not a stuck readiness.
 */
public final class Readiness implements Extension {

  /** One readiness check. Called on every evaluation, possibly concurrently; must not block the calling thread. */
  @FunctionalInterface
  public interface Check {
    /** Whether the checked thing is ready; a failed or late stage counts as not ready. */
    CompletionStage<CheckResult> check();
  }

  /**
   * What a check found.
   *
   * @param passed whether it is ready
   * @param detail a short human-readable reason, never a secret
   */
  public record CheckResult(boolean passed, String detail) {

    /** A passing result. */
    public static CheckResult pass(String detail) {
      return new CheckResult(true, detail);
    }

    /** A failing result. */
    public static CheckResult fail(String detail) {
      return new CheckResult(false, detail);
    }
  }

  /** The result of the check registered as {@code name} in one evaluation. */
  public record CheckReport(String name, boolean passed, String detail) {}

  private record Named(String name, Check check) {}

  private static final ExtensionId<Readiness> ID =
      new ExtensionId<>() {
        @Override
        public Readiness createExtension(ActorSystem<?> system) {
          return new Readiness();
        }
      };

  /** Replaced as a whole on every change, so evaluations read a consistent list without a lock. */
  private volatile List<Named> checks = List.of();

  private Readiness() {}

  /** The readiness checks of {@code system}. */
  public static Readiness get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  /**
   * Registers {@code check} as {@code name}, replacing any check of that name.
   *
   * @param name a short fixed name (e.g. {@code journal}), reported in the readiness body
   */
  public synchronized void register(String name, Check check) {
    List<Named> next = new ArrayList<>(checks.size() + 1);
    checks.stream().filter(named -> !named.name().equals(name)).forEach(next::add);
    next.add(new Named(name, check));
    checks = List.copyOf(next);
  }

  /** Removes the check registered as {@code name}, if any. */
  public synchronized void unregister(String name) {
    checks = checks.stream().filter(named -> !named.name().equals(name)).toList();
  }

  /**
   * Runs every registered check at once, each bounded by {@code timeout}, and reports them in registration order. The
   * returned stage always completes normally: a check that throws, fails or is late is reported as not passed.
   *
   * @param callbacks where the results are gathered (the actor system's dispatcher), so that no check's stage runs
   *     our code on a thread of its own choosing
   */
  public CompletionStage<List<CheckReport>> evaluate(Duration timeout, Executor callbacks) {
    List<Named> current = checks;
    List<CompletableFuture<CheckReport>> reports =
        current.stream().map(named -> evaluate(named, timeout, callbacks)).toList();
    return CompletableFuture.allOf(reports.toArray(CompletableFuture[]::new))
        .thenApply(all -> reports.stream().map(CompletableFuture::join).toList());
  }

  private static CompletableFuture<CheckReport> evaluate(Named named, Duration timeout, Executor callbacks) {
    CompletableFuture<CheckReport> report = new CompletableFuture<>();
    CompletionStage<CheckResult> result;
    try {
      result = named.check().check();
    } catch (RuntimeException e) {
      result = CompletableFuture.failedStage(e);
    }
    result.whenCompleteAsync(
        (found, failure) ->
            report.complete(
                failure != null || found == null
                    ? new CheckReport(named.name(), false, describe(failure))
                    : new CheckReport(named.name(), found.passed(), found.detail())),
        callbacks);
    return report.completeOnTimeout(
        new CheckReport(named.name(), false, "no answer within " + timeout.toMillis() + " ms"),
        timeout.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private static String describe(Throwable failure) {
    if (failure == null) {
      return "the check returned no result";
    }
    Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
    return cause instanceof TimeoutException ? "timed out" : "failed: " + cause.getMessage();
  }
}
