package dev.interactions.server;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What tests that run outside the JVM (Node.js, Chromium, TypeScript) need on the machine. Missing locally, such a test
 * is skipped and says what to install; missing on CI ({@code CI=true}), it fails, since {@code .ci/run} installs it all.
 */
final class TestPrerequisites {

  private TestPrerequisites() {}

  /**
   * Why {@code test} cannot run ({@code missing}, and how to enable it), or null when nothing is missing; fails at once
   * on CI, which must never skip it.
   */
  static String skipReason(String test, List<String> missing, String howToEnable) {
    if (missing.isEmpty()) {
      return null;
    }
    String message = test + ": missing " + String.join(", ", missing);
    if ("true".equals(System.getenv("CI"))) {
      fail(message + ". CI must install them (.ci/run): " + howToEnable);
    }
    return message + ". Enable them with: " + howToEnable;
  }

  /** Whether {@code node --version} runs. */
  static boolean nodeRuns() {
    try {
      Process process = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      process.getInputStream().readAllBytes();
      return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
