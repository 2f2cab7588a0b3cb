package dev.interactions.health;

import java.util.List;

/**
 * The body of {@code GET /health/ready}.
 *
 * @param status {@code ready}, {@code degraded} (ready, but a watchdog rule is broken) or {@code not_ready}
 * @param checks every registered readiness check and what it found
 * @param degraded the watchdog rules broken now; empty when none
 */
public record ReadyReport(String status, List<Check> checks, List<Watchdog.Finding> degraded) {

  /**
   * One check.
   *
   * @param name its registered name
   * @param status {@code pass} or {@code fail}
   * @param detail why
   */
  public record Check(String name, String status, String detail) {}

  /** Whether the node takes traffic ({@code ready} or {@code degraded}). */
  public boolean takesTraffic() {
    return !status.equals("not_ready");
  }
}
