package dev.interactions.core;

/**
 * Where a {@link Session} is in its life. The session picks its command handlers by it, and asks it what to do each time
 * its content changed ({@link #next}): plain Java, decided without actors.
 */
enum SessionLifecycle {
  /** Taking work. */
  ACTIVE,
  /** The orchestrator is shutting down: no new work; stops once drained. */
  CLOSING,
  /** Asked its shard to passivate it: commands go back through the shard, which holds them for a new incarnation. */
  PASSIVATING,
  /** Told to stop while interactions still deliver recorded outcomes: stops when they are done. */
  STOPPING,
  /** Started empty on a node already holding its bound of sessions: refuses new work and passivates. */
  REFUSING;

  /** What a session holds, as far as its lifetime goes. */
  record Content(
      int pending, int pendingWithGrace, boolean remembersOutcomes, int connections, int resolving, boolean durable) {}

  /** What a session does next. */
  enum Next {
    /** Carries on; no reconnect grace runs. */
    SERVE,
    /**
     * Carries on, with the reconnect grace running: pending work that does not wait for a device, and nobody attached
     * to see it.
     */
    AWAIT_RECONNECT,
    /** Holds nothing its journal does not hold: asks its shard to passivate it. */
    PASSIVATE,
    /** Stops now. */
    STOP,
    /** Waits for what it is already waiting for (its shard's stop, interactions delivering their outcome). */
    WAIT
  }

  /** What a session in this lifecycle does once its content is {@code content}. */
  Next next(Content content) {
    boolean delivering = content.resolving() > 0;
    return switch (this) {
      case ACTIVE -> {
        if (content.connections() > 0) {
          yield Next.SERVE;
        } else if (content.pendingWithGrace() > 0) {
          yield Next.AWAIT_RECONNECT;
        } else if (content.pending() > 0) {
          yield Next.SERVE; // waiting for a device, until its deadlines
        }
        // A durable session's remembered outcomes are in its journal: it is read back from there when next addressed,
        // so they do not hold it in memory. In memory they are all there is, and keep it until they expire.
        yield delivering || (content.remembersOutcomes() && !content.durable()) ? Next.SERVE : Next.PASSIVATE;
      }
      // Durable: what is pending stays in the journal and resumes on the next start.
      case CLOSING -> (content.durable() || content.pending() == 0) && !delivering ? Next.STOP : Next.WAIT;
      case STOPPING -> delivering ? Next.WAIT : Next.STOP;
      case PASSIVATING, REFUSING -> Next.WAIT;
    };
  }
}
