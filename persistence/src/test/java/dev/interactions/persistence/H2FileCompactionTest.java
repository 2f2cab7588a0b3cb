package dev.interactions.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import dev.interactions.core.InteractionOutcome;
import dev.interactions.core.InteractionRequest;
import dev.interactions.protocol.RawJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded H2 file stays bounded while the node runs: the space of deleted (and of overwritten) records is given
 * back by the compaction steps, not only when the database is closed.
 */
class H2FileCompactionTest {

  private static final RawJson PAYLOAD = RawJson.parse("payload", "{\"tool\":\"deploy\",\"path\":\"/srv/app\"}");
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int SESSIONS = 40;
  private static final int LIFECYCLES_PER_SESSION = 50;
  /**
   * What the file must shrink below once every session's records are deleted: a few hundred KB are live then (the
   * roster and the schema); the 4,000 events written and deleted before leave well over 8 MB without compaction.
   */
  private static final long BOUND = 2L * 1024 * 1024;

  @TempDir Path data;

  private Config config(String compactionInterval) {
    return DurableStore.config(
        data,
        "orchestrator.persistence.jdbc.retention.period = 1ms\n"
            + "orchestrator.session.closed-retention = 0s\n"
            + "orchestrator.persistence.jdbc.h2-compaction.interval = " + compactionInterval + "\n");
  }

  @Test
  void aCompactionStepGivesBackTheSpaceOfDeletedEvents() throws Exception {
    try (DurableStore node = DurableStore.start(config("1h"))) {
      writeThenDeleteEveryEvent(node);
      long grown = fileBytes();
      assertTrue(grown > BOUND, "the events written and deleted left " + grown + " bytes, expected more than " + BOUND);

      long deadline = System.nanoTime() + WAIT.toNanos();
      H2FileCompaction.Compacted step;
      do {
        step = node.store.compactH2File(WAIT).toCompletableFuture().join();
        assertNull(step.failure());
        assertTrue(System.nanoTime() < deadline, "file still " + fileBytes() + " bytes after compacting for " + WAIT);
      } while (step.fileBytesAfter() >= BOUND);

      assertEquals(step.fileBytesAfter(), fileBytes(), "the step reports the file's size");
      // What is still live survived the steps.
      assertEquals(0, node.store.history("s0", Optional.empty(), 10, Optional.empty()).toCompletableFuture().join()
          .closed().size());
      assertTrue(node.store.ping().toCompletableFuture().join());
    }
  }

  @Test
  void theFileIsCompactedPeriodicallyWhileTheNodeRuns() throws Exception {
    try (DurableStore node = DurableStore.start(config("100ms"))) {
      writeThenDeleteEveryEvent(node);

      long deadline = System.nanoTime() + WAIT.toNanos();
      while (fileBytes() >= BOUND) {
        assertTrue(System.nanoTime() < deadline, "file still " + fileBytes() + " bytes after " + WAIT);
        TimeUnit.MILLISECONDS.sleep(100); // the steps run on their own timer; poll the file
      }
      // The store still takes and keeps new work after the steps.
      node.orchestrator.request("after", request(Duration.ofMillis(1))).toCompletableFuture().join();
      assertEquals(1, node.store.history("after", Optional.empty(), 10, Optional.empty()).toCompletableFuture().join()
          .closed().size());
    }
  }

  @Test
  void onlyAnH2FileDatabaseOpenedInThisProcessIsCompacted() {
    Config inMemory =
        DurableStore.config(data, "orchestrator.persistence.jdbc.url = \"jdbc:h2:mem:compaction;DB_CLOSE_DELAY=-1\"");
    try (DurableStore node = DurableStore.start(inMemory)) {
      H2FileCompaction.Compacted step = node.store.compactH2File(WAIT).toCompletableFuture().join();
      assertEquals("not an H2 file database opened in this process", step.failure());
    }
  }

  /** Lifecycles (request, expiry) in several sessions at once, then a retention sweep that deletes all their records. */
  private void writeThenDeleteEveryEvent(DurableStore node) {
    List<CompletableFuture<InteractionOutcome>> outcomes = new ArrayList<>();
    for (int round = 0; round < LIFECYCLES_PER_SESSION; round++) {
      for (int s = 0; s < SESSIONS; s++) {
        outcomes.add(node.orchestrator.request("s" + s, request(Duration.ofMillis(1))).toCompletableFuture());
      }
    }
    outcomes.forEach(CompletableFuture::join);
    // A session whose last write is not yet older than the 1-ms period is left to the next sweep.
    long deadline = System.nanoTime() + WAIT.toNanos();
    int deleted = 0;
    while (deleted < SESSIONS) {
      assertTrue(System.nanoTime() < deadline, "only " + deleted + " sessions deleted after " + WAIT);
      JournalRetention.Swept swept = node.store.sweep(WAIT).toCompletableFuture().join();
      assertNull(swept.failure());
      deleted += swept.idleSessions();
    }
  }

  private static InteractionRequest request(Duration timeout) {
    return new InteractionRequest("approval", PAYLOAD, Optional.of(timeout), Optional.empty());
  }

  private long fileBytes() throws IOException {
    return Files.size(data.resolve("interactions.mv.db"));
  }
}
