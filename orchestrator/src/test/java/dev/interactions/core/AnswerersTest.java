package dev.interactions.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interactions.protocol.InvalidInputException;
import dev.interactions.protocol.RawJson;
import dev.interactions.protocol.ServerMessage;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Who may answer an interaction and what each device is sent of it: plain decisions, no actors. */
class AnswerersTest {

  private static final Device ALICE = Device.connected("c1", "alice", Set.of(), "websocket", null);
  private static final Device BOB = Device.connected("c2", "bob", Set.of("viewer"), "sse", null);
  private static final Device CAROL = Device.connected("c3", "carol", Set.of("viewer", "ops"), "websocket", null);
  private static final Device NOBODY = Device.connected("c4", null, Set.of(), "websocket", null);
  private static final ServerMessage.Interaction VIEW =
      new ServerMessage.Interaction("i1", "confirm", RawJson.NULL, Instant.EPOCH, Instant.EPOCH.plusSeconds(60));

  @Test
  void anyoneMayAnswerByDefaultAndEveryoneGetsTheFrameAsItIs() {
    for (Device device : List.of(ALICE, BOB, NOBODY)) {
      assertTrue(Answerers.ANYONE.admit(device));
      assertEquals(VIEW, Answerers.ANYONE.frameFor(device, VIEW));
    }
    assertFalse(Answerers.ANYONE.restrictsAnyone());
  }

  @Test
  void aNamedSubjectOrAHolderOfANamedRoleMayAnswerOthersSeeItReadOnly() {
    Answerers answerers = Answerers.only(List.of("alice"), List.of("ops"));

    assertTrue(answerers.admit(ALICE));
    assertTrue(answerers.admit(CAROL), "carol holds ops");
    assertFalse(answerers.admit(BOB));
    assertFalse(answerers.admit(NOBODY), "a device without a proved subject is named by nothing");
    assertEquals(VIEW, answerers.frameFor(CAROL, VIEW));
    assertEquals(Boolean.TRUE, answerers.frameFor(BOB, VIEW).readOnly());
    assertTrue(answerers.showTo(BOB));
  }

  @Test
  void withVisibilityAnswerersTheOthersGetNothing() {
    Answerers answerers = Answerers.only(List.of("alice"), List.of()).seenBy(Answerers.Visibility.ANSWERERS);

    assertNull(answerers.frameFor(BOB, VIEW));
    assertFalse(answerers.showTo(BOB));
    assertEquals(VIEW, answerers.frameFor(ALICE, VIEW));
  }

  @Test
  void theExcludedSubjectMayNotAnswerEvenWhenNamedOrHoldingANamedRole() {
    assertFalse(Answerers.ANYONE.excluding("alice").admit(ALICE));
    assertTrue(Answerers.ANYONE.excluding("alice").admit(BOB));
    assertFalse(Answerers.only(List.of("carol"), List.of("ops")).excluding("carol").admit(CAROL));
    assertTrue(Answerers.ANYONE.excluding("alice").restrictsAnyone());
    assertFalse(Answerers.ANYONE.excluding("alice").admit(NOBODY), "a device proved to be nobody could be the requester");
  }

  @Test
  void aConnectionAnHttpAnswerClaimsCountsWithTheRolesOfTheAnswersOwnToken() {
    Device stream = Device.connected("sse-1", "alice", Set.of("ops"), "sse", "Firefox");

    Device verified = Device.claimed("sse-1", "alice", Set.of(), "curl").verifiedAgainst(stream);

    assertEquals("sse-1", verified.connectionId());
    assertEquals("sse", verified.transport());
    assertEquals("Firefox", verified.userAgent());
    assertEquals(Set.of(), verified.roles(), "a role the answer's token no longer grants does not come back");
    assertNull(Device.claimed("sse-1", "mallory", Set.of("ops"), null).verifiedAgainst(stream));
  }

  @Test
  void aReadOnlyFrameKeepsEverythingElseAndFalseIsAbsent() {
    ServerMessage.Interaction readOnly = VIEW.asReadOnly();
    assertEquals(VIEW.id(), readOnly.id());
    assertEquals(VIEW.expiresAt(), readOnly.expiresAt());
    assertNull(
        new ServerMessage.Interaction("i", "k", RawJson.NULL, Instant.EPOCH, Instant.EPOCH, null, null, null, null, false)
            .readOnly());
  }

  @Test
  void namingNobodyOrANullNameIsRefused() {
    assertEquals(
        "answerers", assertThrows(InvalidInputException.class, () -> Answerers.only(List.of(), List.of())).field());
    List<String> withNull = new java.util.ArrayList<>(List.of("alice"));
    withNull.add(null);
    assertEquals(
        "answerers/subjects", assertThrows(InvalidInputException.class, () -> Answerers.only(withNull, List.of())).field());
  }

  @Test
  void namesAreBounded() {
    List<String> tooMany = IntStream.range(0, Answerers.MAX_NAMED).mapToObj(i -> "subject-" + i).toList();
    InvalidInputException many =
        assertThrows(InvalidInputException.class, () -> Answerers.only(tooMany, List.of("ops")).validate());
    assertEquals("answerers", many.field());
    InvalidInputException blank =
        assertThrows(InvalidInputException.class, () -> Answerers.only(List.of(" "), List.of()).validate());
    assertEquals("answerers/subjects", blank.field());
    InvalidInputException longRole =
        assertThrows(
            InvalidInputException.class,
            () -> Answerers.only(List.of(), List.of("r".repeat(Answerers.MAX_NAME_LENGTH + 1))).validate());
    assertEquals("answerers/roles", longRole.field());
  }
}
