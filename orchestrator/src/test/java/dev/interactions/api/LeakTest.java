package dev.interactions.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.interactions.core.Attachment;
import dev.interactions.core.Census;
import dev.interactions.core.InteractionOutcome;
import dev.interactions.core.InteractionRequest;
import dev.interactions.core.Session;
import dev.interactions.core.SessionDirectory;
import dev.interactions.protocol.RawJson;
import dev.interactions.protocol.ServerMessage;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Leak-freedom, tested: many thousands of connect, request, and answer / reject / deadline / cancel / abrupt-drop cycles,
 * after which no session, interaction or connection actor is alive, no timer is scheduled, and every future completed
 * with the outcome its cycle called for.
 */
class LeakTest {

  private static final int CYCLES = 100_000;
  private static final int SESSIONS = 2_000;
  private static final int IN_FLIGHT = 400;
  private static final Duration ASK = Duration.ofSeconds(30);
  private static final RawJson YES = RawJson.parse("value", "true");

  /** What the device of a cycle does once it is shown its interaction. */
  enum Mode {
    ANSWER,
    REJECT,
    DEADLINE,
    CANCEL,
    DROP
  }

  private ActorTestKit testKit;
  private Orchestrator orchestrator;
  private Census census;

  @BeforeEach
  void start() {
    testKit =
        ActorTestKit.create(
            "leak",
            ConfigFactory.parseString(
                    """
                    pekko.scheduler.implementation = "dev.interactions.api.CountingScheduler"
                    orchestrator.session.reconnect-grace = 50ms
                    # Its DROP fate ends interactions as disconnected, the grace's doing.
                    orchestrator.interaction.when-no-device = grace
                    orchestrator.session.closed-retention = 200ms
                    orchestrator.interaction.min-timeout = 1ms
                    """)
                .withFallback(ConfigFactory.load()));
    orchestrator = Orchestrator.embed(testKit.system());
    census = Census.get(testKit.system());
  }

  @AfterEach
  void stop() {
    orchestrator.close();
    testKit.shutdownTestKit();
  }

  @Test
  void hundredThousandCyclesLeaveNoActorNoTimerAndNoUncompletedFuture() throws Exception {
    long timersBefore = settledTimers();
    Map<Mode, AtomicLong> expected = new EnumMap<>(Mode.class);
    for (Mode mode : Mode.values()) {
      expected.put(mode, new AtomicLong());
    }
    Queue<String> unexpected = new ConcurrentLinkedQueue<>();
    Semaphore inFlight = new Semaphore(IN_FLIGHT);
    long peakTimers = 0;
    long peakInteractions = 0;

    for (int cycle = 0; cycle < CYCLES; cycle++) {
      inFlight.acquire();
      Mode mode = Mode.values()[cycle % Mode.values().length];
      runCycle(cycle, mode)
          .whenComplete(
              (mismatch, failure) -> {
                if (failure == null && mismatch == null) {
                  expected.get(mode).incrementAndGet();
                } else {
                  unexpected.add(mode + ": " + (failure != null ? failure : mismatch));
                }
                inFlight.release();
              });
      if (cycle % 1_000 == 0) {
        peakTimers = Math.max(peakTimers, CountingScheduler.outstanding());
        peakInteractions = Math.max(peakInteractions, census.interactions());
      }
    }
    assertTrue(inFlight.tryAcquire(IN_FLIGHT, 2, TimeUnit.MINUTES), "every future completed");

    assertTrue(unexpected.isEmpty(), () -> unexpected.size() + " cycles ended wrongly, e.g. " + unexpected.peek());
    for (Mode mode : Mode.values()) {
      assertEquals(CYCLES / Mode.values().length, expected.get(mode).get(), mode + " cycles with the right outcome");
    }
    assertTrue(peakTimers > timersBefore && peakInteractions > 0, "the counters see the load they must see drain");
    testKit
        .createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(60),
            Duration.ofMillis(200),
            () -> {
              assertEquals(0, census.sessions(), "live session actors");
              assertEquals(0, census.interactions(), "live interaction actors");
              assertEquals(0, census.connections(), "live connection actors");
              assertEquals(timersBefore, CountingScheduler.outstanding(), "scheduled timers");
              return null;
            });
  }

  /**
   * The timers outstanding once the node has joined its cluster and routed its first session: cluster formation and
   * shard allocation run one-shot timers of their own, which would otherwise end during the load and hide a leak.
   */
  private long settledTimers() throws Exception {
    orchestrator.state("warm-up").toCompletableFuture().get(30, TimeUnit.SECONDS);
    long[] last = {-1};
    testKit
        .createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(60),
            Duration.ofSeconds(2),
            () -> {
              long now = CountingScheduler.outstanding();
              long before = last[0];
              last[0] = now;
              assertEquals(before, now, "outstanding timers still changing");
              assertEquals(0, census.sessions(), "the warm-up session passivated");
              return null;
            });
    return last[0];
  }

  /** One cycle: a device connects, a requester asks, the mode decides how it ends. Completes with "outcome as expected". */
  /** Runs one cycle; completes with null if it ended as its mode should, else with what happened instead. */
  private CompletableFuture<String> runCycle(int cycle, Mode mode) {
    String sessionId = "leak-" + (cycle % SESSIONS);
    String connectionId = "device-" + cycle;
    String tag = Integer.toString(cycle);
    CompletableFuture<Void> shown = new CompletableFuture<>();
    CompletableFuture<Void> attached = new CompletableFuture<>();
    SessionDirectory directory = orchestrator.sessions();
    orchestrator
        .system()
        .systemActorOf(
            Device.create(sessionId, connectionId, tag, mode, directory, attached, shown), connectionId, Props.empty());
    Duration timeout = mode == Mode.DEADLINE ? Duration.ofMillis(20) : Duration.ofMinutes(1);
    RawJson payload = RawJson.parse("payload", "{\"cycle\":\"" + tag + "\"}");
    return attached
        .orTimeout(ASK.toMillis(), TimeUnit.MILLISECONDS)
        .thenCompose(
            ready -> {
              CompletableFuture<InteractionOutcome> outcome =
                  orchestrator
                      .request(sessionId, InteractionRequest.of("leak", payload, timeout))
                      .toCompletableFuture();
              if (mode == Mode.CANCEL) {
                shown.thenRun(() -> outcome.cancel(false));
              }
              return outcome.handle(
                  (ended, failure) -> matches(mode, ended, failure) ? null : "ended with " + (failure != null ? failure : ended));
            });
  }

  private static boolean matches(Mode mode, InteractionOutcome outcome, Throwable failure) {
    return switch (mode) {
      case ANSWER -> outcome instanceof InteractionOutcome.Answered;
      case REJECT -> outcome instanceof InteractionOutcome.Rejected;
      case DEADLINE -> outcome == InteractionOutcome.Expired.INSTANCE;
      case CANCEL -> failure instanceof CancellationException;
      case DROP -> outcome == InteractionOutcome.Disconnected.INSTANCE;
    };
  }

  /** A client device as a transport connection would be: an actor attached to its session. */
  static final class Device {

    static Behavior<Attachment.Event> create(
        String sessionId,
        String connectionId,
        String tag,
        Mode mode,
        SessionDirectory directory,
        CompletableFuture<Void> attached,
        CompletableFuture<Void> shown) {
      return Behaviors.setup(
          context -> {
            Census census = Census.get(context.getSystem());
            census.connectionStarted();
            context.spawn(
                Attachment.create(sessionId, connectionId, directory, context.getSelf(), ASK, Duration.ofMillis(100)),
                "attachment");
            String marker = "{\"cycle\":\"" + tag + "\"}";
            String[] mine = new String[1];
            return Behaviors.receive(Attachment.Event.class)
                .onMessage(
                    Attachment.Attached.class,
                    ok -> {
                      attached.complete(null);
                      return Behaviors.same();
                    })
                .onMessage(
                    Attachment.Lost.class,
                    lost -> {
                      attached.completeExceptionally(new IllegalStateException(lost.refusal().message()));
                      return Behaviors.stopped();
                    })
                .onMessage(
                    Attachment.Deliver.class,
                    deliver -> {
                      if (deliver.message() instanceof ServerMessage.Interaction shownInteraction) {
                        if (!shownInteraction.payload().text().equals(marker)) {
                          return Behaviors.same();
                        }
                        mine[0] = shownInteraction.id();
                        shown.complete(null);
                        switch (mode) {
                          case ANSWER -> respond(directory, sessionId, connectionId, mine[0],
                              new InteractionOutcome.Answered(YES, connectionId), context.getSystem().ignoreRef());
                          case REJECT -> respond(directory, sessionId, connectionId, mine[0],
                              new InteractionOutcome.Rejected("no"), context.getSystem().ignoreRef());
                          case DROP -> {
                            return Behaviors.stopped();
                          }
                          default -> {}
                        }
                      } else if (deliver.message() instanceof ServerMessage.Closed closed && closed.id().equals(mine[0])) {
                        directory.tell(sessionId, new Session.Detach(connectionId));
                        return Behaviors.stopped();
                      }
                      return Behaviors.same();
                    })
                .onSignal(
                    PostStop.class,
                    signal -> {
                      census.connectionStopped();
                      return Behaviors.same();
                    })
                .build();
          });
    }

    private static void respond(
        SessionDirectory directory,
        String sessionId,
        String connectionId,
        String id,
        InteractionOutcome.Response response,
        ActorRef<ServerMessage.Receipt> replyTo) {
      directory.tell(sessionId, new Session.Respond(id, dev.interactions.core.Device.inProcess(connectionId), response, null, replyTo, false));
    }
  }
}
