package dev.interactions.client;

/** A handler's registration with a {@link Device}; unsubscribing removes that handler (once; again does nothing). */
@FunctionalInterface
public interface Subscription {

  /** Removes the handler: it is not called again once this returns, except for a call already under way. */
  void unsubscribe();
}
