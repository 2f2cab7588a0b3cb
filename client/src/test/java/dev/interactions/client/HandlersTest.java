package dev.interactions.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class HandlersTest {

  private final Handlers<String> handlers = new Handlers<>("test");
  private final List<String> heard = new ArrayList<>();

  @Test
  void anUnsubscribedHandlerIsNotCalledAgainAndOthersStillAre() {
    Subscription first = handlers.add(value -> heard.add("first " + value));
    handlers.add(value -> heard.add("second " + value));
    handlers.emit("1");

    first.unsubscribe();
    handlers.emit("2");

    assertEquals(List.of("first 1", "second 1", "second 2"), heard);
  }

  @Test
  void unsubscribingTwiceRemovesOnlyItsOwnRegistration() {
    Consumer<String> same = value -> heard.add(value);
    Subscription one = handlers.add(same);
    handlers.add(same);

    one.unsubscribe();
    one.unsubscribe();
    handlers.emit("x");

    assertEquals(List.of("x"), heard, "the second registration of the same handler stays");
  }

  @Test
  void aHandlerThatThrowsDoesNotKeepTheOthersFromBeingCalled() {
    handlers.add(value -> {
      throw new IllegalStateException("a bug in a handler");
    });
    handlers.add(heard::add);

    handlers.emit("still heard");

    assertEquals(List.of("still heard"), heard);
  }
}
