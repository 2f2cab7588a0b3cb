package dev.interactions.transport.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a caller may do, independent of how it was authenticated. */
class CallerTest {

  @Test
  void anyoneMayRequestInEverySession() {
    assertTrue(Caller.ANYONE.mayRequest("any-session"));
  }

  @Test
  void noCallerMayJoinANullSession() {
    assertFalse(Caller.ANYONE.mayJoin(null));
  }

  @Test
  void sessionsCannotBeChangedAfterwards() {
    Set<String> sessions = new HashSet<>(Set.of("s1"));
    Caller caller = new Caller("user-42", sessions, false, false, Set.of(), Optional.empty());

    sessions.add("s2");

    assertFalse(caller.mayJoin("s2"));
    assertThrows(UnsupportedOperationException.class, () -> caller.sessions().add("s3"));
  }
}
