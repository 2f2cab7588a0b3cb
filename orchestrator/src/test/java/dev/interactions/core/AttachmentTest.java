package dev.interactions.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** An attachment's first attempt against a session that is slow to answer (starting, recovering, moving). */
class AttachmentTest {

  private static final ActorTestKit testKit = ActorTestKit.create("attachment-test");
  private static final Duration ASK_TIMEOUT = Duration.ofMillis(200);

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  /** Stands for the sessions: every command sent to a session arrives at {@code commands}; nothing is answered. */
  private static SessionDirectory directory(TestProbe<Session.Command> commands) {
    return new SessionDirectory() {
      @Override
      public void tell(String sessionId, Session.Command command) {
        commands.getRef().tell(command);
      }

      @Override
      public <R> CompletionStage<R> ask(
          String sessionId, Function<ActorRef<R>, Session.Command> command, Duration timeout) {
        throw new UnsupportedOperationException("an attachment only tells");
      }
    };
  }

  @Test
  void aFirstAttachmentTheSessionDoesNotAnswerIsRetriedAndTheClientKept() {
    TestProbe<Session.Command> sessions = testKit.createTestProbe();
    TestProbe<Attachment.Event> connection = testKit.createTestProbe();
    LoggingTestKit.info("Not attached yet: session s1 did not answer connection c1")
        .withOccurrences(1)
        .expect(
            testKit.system(),
            () -> {
              testKit.spawn(
                  Attachment.create(
                      "s1", "c1", directory(sessions), connection.getRef(), ASK_TIMEOUT, Duration.ofMillis(50)));
              sessions.expectMessageClass(Session.Attach.class); // not answered
              sessions.expectMessageClass(Session.Attach.class); // not answered either: logged once, not again
              return null;
            });
    Session.Attach third = sessions.expectMessageClass(Session.Attach.class);
    TestProbe<Session.Command> session = testKit.createTestProbe();

    third.attachment().tell(new Attachment.Accepted(0, session.getRef(), "node"));

    // Nothing was reported to the connection before: the client was neither refused nor closed.
    Attachment.Attached attached = assertInstanceOf(Attachment.Attached.class, connection.receiveMessage());
    assertTrue(attached.first(), "still the connection's first attachment, so it sends synced once");
    testKit.stop(third.attachment());
  }

  @Test
  void theTimedOutAttemptTakenAfterAllAttachesWithoutAnotherAttempt() {
    TestProbe<Session.Command> sessions = testKit.createTestProbe();
    TestProbe<Attachment.Event> connection = testKit.createTestProbe();
    Session.Attach[] first = new Session.Attach[1];
    LoggingTestKit.info("Not attached yet")
        .expect(
            testKit.system(),
            () -> {
              testKit.spawn(
                  Attachment.create("s1", "c2", directory(sessions), connection.getRef(), ASK_TIMEOUT, Duration.ofMinutes(5)));
              first[0] = sessions.expectMessageClass(Session.Attach.class);
              return null;
            });
    TestProbe<Session.Command> session = testKit.createTestProbe();

    // The late answer to the attempt that timed out, with the replay ahead of it, as the session sends them.
    first[0].attachment().tell(new Attachment.Frame(new dev.interactions.protocol.ServerMessage.Pong()));
    first[0].attachment().tell(new Attachment.Accepted(1, session.getRef(), "node"));

    // Within the probe's 3 s, where the next attempt was 5 minutes away.
    assertInstanceOf(Attachment.Deliver.class, connection.receiveMessage());
    assertEquals(new Attachment.Attached(1, "node", true), connection.receiveMessage());
    testKit.stop(first[0].attachment());
  }
}
