package dev.interactions.health;

import dev.interactions.core.Ask;
import dev.interactions.core.Readiness;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * What {@code /health/ready} answers: every {@link Readiness} check of the actor system (the server registers {@code
 * http}; other modules add theirs, such as the journal), each bounded by a timeout, and the watchdog's findings.
 */
public final class Health {

  private final ActorSystem<?> system;
  private final Optional<ActorRef<Watchdog.Command>> watchdog;
  private final Duration timeout;

  /**
   * @param system whose readiness checks are evaluated
   * @param watchdog asked for its findings, if one runs
   * @param timeout how long each check, and the watchdog, may take to answer
   */
  public Health(ActorSystem<?> system, Optional<ActorRef<Watchdog.Command>> watchdog, Duration timeout) {
    this.system = system;
    this.watchdog = watchdog;
    this.timeout = timeout;
  }

  /**
   * Evaluates readiness now. Not ready if any check fails; otherwise degraded if the watchdog reports a broken rule
   * (or does not answer), else ready. Always completes normally.
   */
  public CompletionStage<ReadyReport> ready() {
    CompletionStage<List<Readiness.CheckReport>> checks =
        Readiness.get(system).evaluate(timeout, system.executionContext());
    return checks.thenCombine(findings(), Health::report);
  }

  private CompletionStage<List<Watchdog.Finding>> findings() {
    if (watchdog.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    return Ask.<Watchdog.Command, Watchdog.Findings>ask(watchdog.get(), Watchdog.GetFindings::new, timeout, system)
        .thenApply(Watchdog.Findings::findings)
        .exceptionally(
            failure -> List.of(new Watchdog.Finding("watchdog", "no answer within " + timeout.toMillis() + " ms")));
  }

  private static ReadyReport report(List<Readiness.CheckReport> checks, List<Watchdog.Finding> findings) {
    boolean allPassed = checks.stream().allMatch(Readiness.CheckReport::passed);
    String status = !allPassed ? "not_ready" : findings.isEmpty() ? "ready" : "degraded";
    return new ReadyReport(
        status,
        checks.stream()
            .map(check -> new ReadyReport.Check(check.name(), check.passed() ? "pass" : "fail", check.detail()))
            .toList(),
        findings);
  }
}
