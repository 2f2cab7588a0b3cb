package dev.interactions.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interactions.core.Readiness;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /health/live} and {@code /health/ready} of a real server: readiness is every registered check passing, each
 * within its timeout; a broken watchdog rule makes the node degraded, which is still ready. Shutdown turning readiness
 * off first is in {@link ConnectionLifecycleTest}.
 */
class HealthTest {

  private static final long DEADLINE_SECONDS = 30;

  private TestServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void livenessIs200WhateverTheReadinessChecksSay() {
    server = TestServer.start("orchestrator.metrics.enabled = off");
    readiness().register("journal", () -> CompletableFuture.completedFuture(Readiness.CheckResult.fail("down")));

    TestServer.Reply reply = server.get("/health/live");

    assertEquals(200, reply.status());
    assertEquals("{\"status\":\"live\"}", reply.body().toString());
  }

  @Test
  void aFailingRegisteredCheckMakesTheNodeNotReadyUntilItPassesAgain() {
    server = TestServer.start("orchestrator.metrics.enabled = off");
    readiness()
        .register("journal", () -> CompletableFuture.completedFuture(Readiness.CheckResult.fail("journal does not answer")));

    TestServer.Reply failing = server.get("/health/ready");

    assertEquals(503, failing.status(), failing.toString());
    assertEquals(
        "{\"status\":\"not_ready\",\"checks\":[{\"name\":\"cluster\",\"status\":\"pass\",\"detail\":\"up, Session shard region registered\"},"
            + "{\"name\":\"http\",\"status\":\"pass\",\"detail\":\"accepting requests\"},"
            + "{\"name\":\"journal\",\"status\":\"fail\",\"detail\":\"journal does not answer\"}],\"degraded\":[]}",
        failing.body().toString());

    readiness().register("journal", () -> CompletableFuture.completedFuture(Readiness.CheckResult.pass("answers")));

    TestServer.Reply passing = server.get("/health/ready");
    assertEquals(200, passing.status(), passing.toString());
    assertEquals("ready", passing.body().path("status").asText());
    assertEquals("pass", passing.body().path("checks").path(2).path("status").asText());
  }

  @Test
  void aCheckThatDoesNotAnswerInTimeCountsAsFailed() {
    server = TestServer.start("orchestrator.metrics.enabled = off\norchestrator.http.readiness-timeout = 300ms");
    readiness().register("slow", CompletableFuture::new); // never completes

    TestServer.Reply reply = server.get("/health/ready");

    assertEquals(503, reply.status(), reply.toString());
    JsonNode check = reply.body().path("checks").path(2);
    assertEquals("slow", check.path("name").asText());
    assertEquals("fail", check.path("status").asText());
    assertEquals("no answer within 300 ms", check.path("detail").asText());

    readiness().unregister("slow");

    assertEquals(200, server.get("/health/ready").status());
  }

  @Test
  void aCheckThatThrowsOrFailsCountsAsFailed() {
    server = TestServer.start("orchestrator.metrics.enabled = off");
    readiness()
        .register(
            "throws",
            () -> {
              throw new IllegalStateException("no pool");
            });
    readiness().register("fails", () -> CompletableFuture.failedFuture(new IllegalStateException("refused")));

    TestServer.Reply reply = server.get("/health/ready");

    assertEquals(503, reply.status(), reply.toString());
    assertEquals("failed: no pool", reply.body().path("checks").path(2).path("detail").asText());
    assertEquals("failed: refused", reply.body().path("checks").path(3).path("detail").asText());
  }

  @Test
  void aBrokenWatchdogRuleIsDegradedStillReadyAndClearsWhenTheCountsAreBack() {
    server =
        TestServer.start(
            """
            orchestrator.metrics.enabled = off
            orchestrator.watchdog { period = 100ms, max-sessions = 1 }
            orchestrator.session.closed-retention-max = 0
            """);
    String first = create("health-one");
    String second = create("health-two");

    TestServer.Reply degraded = awaitReady("degraded", reply -> reply.body().path("status").asText().equals("degraded"));

    assertEquals(200, degraded.status(), "degraded is still ready");
    assertEquals("sessions", degraded.body().path("degraded").path(0).path("rule").asText(), degraded.toString());
    assertEquals("2 sessions, above 1", degraded.body().path("degraded").path(0).path("detail").asText());

    server.delete("/v1/sessions/health-one/interactions/" + first);
    server.delete("/v1/sessions/health-two/interactions/" + second);

    TestServer.Reply ready = awaitReady("ready again", reply -> reply.body().path("status").asText().equals("ready"));
    assertEquals(200, ready.status());
    assertEquals(0, ready.body().path("degraded").size());
  }

  private Readiness readiness() {
    return Readiness.get(server.orchestrator().system());
  }

  private String create(String sessionId) {
    TestServer.Reply reply =
        server.post("/v1/sessions/" + sessionId + "/interactions", "{\"kind\":\"approve\",\"timeoutMs\":60000}");
    assertEquals(201, reply.status(), reply.toString());
    return reply.body().path("id").asText();
  }

  /** Polls readiness until it says what is awaited: the watchdog compares on its own period, not on our request. */
  private TestServer.Reply awaitReady(String what, Predicate<TestServer.Reply> condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
    TestServer.Reply reply = server.get("/health/ready");
    while (!condition.test(reply)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("readiness never " + what + " within " + DEADLINE_SECONDS + " s; last: " + reply);
      }
      LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
      reply = server.get("/health/ready");
    }
    return reply;
  }
}
