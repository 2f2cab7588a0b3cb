package dev.interactions.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.interactions.core.Answerers;
import dev.interactions.core.DeliveryTerms;
import dev.interactions.core.InteractionOutcome;
import dev.interactions.core.InteractionRequest;
import dev.interactions.core.InteractionStatus;
import dev.interactions.protocol.Audit;
import dev.interactions.protocol.ErrorCode;
import dev.interactions.protocol.InvalidInputException;
import dev.interactions.protocol.OutcomeCode;
import dev.interactions.protocol.RawJson;
import dev.interactions.protocol.ServerMessage;
import dev.interactions.protocol.WhenNoDevice;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Interactions that name their answerers, through the embedded API: in-process clients attached as subjects with roles
 * get them as answerers, read-only or not at all, and answers, {@code shown} and {@code extend} from others are refused.
 */
class WhoMayAnswerTest {

  private static final RawJson CONFIRM = RawJson.parse("payload", "{\"message\":\"Deploy?\"}");
  private static final RawJson YES = RawJson.parse("value", "{\"confirmed\":true}");
  private static final long WAIT_SECONDS = 20;

  private Orchestrator orchestrator;

  @BeforeEach
  void start() {
    orchestrator = Orchestrator.start(ConfigFactory.empty());
  }

  @AfterEach
  void stop() {
    orchestrator.close();
  }

  @Test
  void onlyNamedSubjectsAndRolesMayAnswerWhileOthersSeeItReadOnly() throws Exception {
    RecordingListener alicesPhone = new RecordingListener(Duration.ofSeconds(WAIT_SECONDS));
    RecordingListener bobsLaptop = new RecordingListener(Duration.ofSeconds(WAIT_SECONDS));
    RecordingListener carolsLaptop = new RecordingListener(Duration.ofSeconds(WAIT_SECONDS));
    await(orchestrator.attach("team", "alice", Set.of(), alicesPhone));
    ClientHandle bob = await(orchestrator.attach("team", "bob", Set.of("viewer"), bobsLaptop));
    ClientHandle carol = await(orchestrator.attach("team", "carol", Set.of("ops"), carolsLaptop));

    CompletableFuture<InteractionOutcome> outcome =
        request(InteractionRequest.of("confirm", CONFIRM).withAnswerers(Answerers.only(List.of("alice"), List.of("ops"))));
    ServerMessage.Interaction asAlice = alicesPhone.nextInteraction();
    ServerMessage.Interaction asBob = bobsLaptop.nextInteraction();
    ServerMessage.Interaction asCarol = carolsLaptop.nextInteraction();

    assertNull(asAlice.readOnly());
    assertNull(asCarol.readOnly());
    assertEquals(Boolean.TRUE, asBob.readOnly());
    String id = asBob.id();
    assertForbidden(bob.answer(id, YES));
    assertForbidden(bob.reject(id, "not mine to refuse"));
    assertForbidden(bob.shown(id));
    assertForbidden(bob.extend(id, Duration.ofMinutes(1)));
    assertTrue(!outcome.isDone(), "a refused answer leaves it pending");

    assertInstanceOf(ServerMessage.Ack.class, await(carol.answer(id, YES)));
    assertEquals(new InteractionOutcome.Answered(YES, carol.connectionId()), await(outcome));
    assertEquals(new ServerMessage.Closed(id, OutcomeCode.ANSWERED), bobsLaptop.nextClosed());
    Audit audit = assertInstanceOf(InteractionStatus.class, await(orchestrator.read("team", id))).audit().orElseThrow();
    assertEquals("carol", audit.subject(), "the requester reads who answered, as the server knows it");
    assertEquals("in-process", audit.transport());
  }

  @Test
  void withVisibilityAnswerersOthersAreNeverSentItNorReplayedIt() throws Exception {
    RecordingListener alicesPhone = new RecordingListener(Duration.ofSeconds(WAIT_SECONDS));
    RecordingListener bobsLaptop = new RecordingListener(Duration.ofSeconds(WAIT_SECONDS));
    ClientHandle alice = await(orchestrator.attach("team", "alice", Set.of(), alicesPhone));
    await(orchestrator.attach("team", "bob", Set.of(), bobsLaptop));
    Answerers onlyAlice = Answerers.only(List.of("alice"), List.of()).seenBy(Answerers.Visibility.ANSWERERS);

    CompletableFuture<InteractionOutcome> hidden = request(InteractionRequest.of("confirm", CONFIRM).withAnswerers(onlyAlice));
    String hiddenId = alicesPhone.nextInteraction().id();
    // A device that attaches later is not replayed it either.
    RecordingListener bobsPhone = new RecordingListener(Duration.ofSeconds(WAIT_SECONDS));
    await(orchestrator.attach("team", "bob", Set.of(), bobsPhone));
    CompletableFuture<InteractionOutcome> open = request(InteractionRequest.of("confirm", CONFIRM));

    // Frames from one session arrive in order: the first bob's devices get is the open one.
    String openId = bobsLaptop.nextInteraction().id();
    assertEquals(openId, bobsPhone.nextInteraction().id());
    assertTrue(!openId.equals(hiddenId));
    await(alice.answer(hiddenId, YES));
    assertEquals(OutcomeCode.ANSWERED, await(hidden).code());
    open.cancel(true);
    assertEquals(new ServerMessage.Closed(openId, OutcomeCode.CANCELLED), bobsLaptop.nextClosed(), "no closed of the hidden one");
    assertEquals(new ServerMessage.Closed(openId, OutcomeCode.CANCELLED), bobsPhone.nextClosed());
  }

  @Test
  void aRequesterThatMayNotAnswerItselfIsRefusedAndEveryoneElseMayAnswer() throws Exception {
    RecordingListener alicesPhone = new RecordingListener(Duration.ofSeconds(WAIT_SECONDS));
    RecordingListener bobsPhone = new RecordingListener(Duration.ofSeconds(WAIT_SECONDS));
    ClientHandle alice = await(orchestrator.attach("team", "alice", Set.of(), alicesPhone));
    ClientHandle bob = await(orchestrator.attach("team", "bob", Set.of(), bobsPhone));

    CompletableFuture<InteractionOutcome> outcome =
        request(InteractionRequest.of("confirm", CONFIRM).withAnswerers(Answerers.ANYONE.excluding("alice")));
    String id = alicesPhone.nextInteraction().id();

    ServerMessage.Error refused = assertForbidden(alice.answer(id, YES));
    assertTrue(refused.message().contains("requester"), refused.message());
    alice.close();
    // A closed handle is no longer attached: the session still judges it as who it was, not as nobody.
    assertTrue(assertForbidden(alice.answer(id, YES)).message().contains("requester"));
    assertNull(bobsPhone.nextInteraction().readOnly());
    await(bob.answer(id, YES));
    assertEquals(new InteractionOutcome.Answered(YES, bob.connectionId()), await(outcome));
  }

  @Test
  void toFailWhenNoDeviceIsConnectedCountsOnlyDevicesThatMayAnswer() throws Exception {
    await(orchestrator.attach("team", "bob", Set.of(), new RecordingListener(Duration.ofSeconds(WAIT_SECONDS))));

    InteractionOutcome outcome =
        await(
            request(
                InteractionRequest.of("confirm", CONFIRM)
                    .withAnswerers(Answerers.only(List.of("alice"), List.of()))
                    .withDelivery(new DeliveryTerms(Optional.empty(), Optional.empty(), Optional.of(WhenNoDevice.FAIL)))));

    assertEquals(OutcomeCode.UNDELIVERED, outcome.code(), "bob is connected, but nobody who may answer it");
  }

  @Test
  void answerersOutOfBoundsAreRefusedWhenRequested() {
    InteractionRequest blank = InteractionRequest.of("confirm", CONFIRM).withAnswerers(Answerers.only(List.of(""), List.of()));

    InvalidInputException refused = assertThrows(InvalidInputException.class, () -> request(blank));
    assertEquals("answerers/subjects", refused.field());
  }

  private CompletableFuture<InteractionOutcome> request(InteractionRequest request) {
    return orchestrator.request("team", request).toCompletableFuture();
  }

  private static ServerMessage.Error assertForbidden(CompletionStage<ServerMessage.Receipt> receipt) throws Exception {
    ServerMessage.Error error = assertInstanceOf(ServerMessage.Error.class, await(receipt));
    assertEquals(ErrorCode.FORBIDDEN, error.code());
    return error;
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    try {
      return stage.toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw new CompletionException(e.getCause());
    }
  }
}
