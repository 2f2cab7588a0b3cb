package dev.interactions.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The handlers registered for one kind of event, called in the order they were registered. A handler that throws is
 * logged and does not keep the others from being called.
 */
final class Handlers<T> {

  private static final System.Logger LOG = System.getLogger(Handlers.class.getName());

  /** One registration; its identity tells it apart from another of the same handler. */
  private static final class Entry<T> {
    private final Consumer<? super T> handler;

    Entry(Consumer<? super T> handler) {
      this.handler = handler;
    }
  }

  private final String event;
  /** Guarded by this. */
  private final List<Entry<T>> entries = new ArrayList<>();

  /** @param event what the handlers are told of, for the log */
  Handlers(String event) {
    this.event = event;
  }

  Subscription add(Consumer<? super T> handler) {
    Entry<T> entry = new Entry<>(Objects.requireNonNull(handler, "handler"));
    synchronized (this) {
      entries.add(entry);
    }
    return () -> {
      synchronized (this) {
        entries.remove(entry);
      }
    };
  }

  /** Calls every handler with {@code value}, outside the lock: a handler may register or unsubscribe others. */
  void emit(T value) {
    List<Entry<T>> current;
    synchronized (this) {
      current = List.copyOf(entries);
    }
    for (Entry<T> entry : current) {
      try {
        entry.handler.accept(value);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "a handler of " + event + " failed", e);
      }
    }
  }

  synchronized void clear() {
    entries.clear();
  }
}
