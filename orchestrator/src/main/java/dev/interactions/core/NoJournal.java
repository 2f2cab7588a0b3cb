package dev.interactions.core;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.japi.AsyncWriteJournal;
import scala.concurrent.Future;

/**
 * The journal of the {@code memory} store: every write succeeds and nothing is kept, so a session's state lives only in
 * the session actor and recovery always starts empty. Sessions are event sourced either way; this is what makes the
 * durable store a configuration choice rather than a second implementation.
 */
public final class NoJournal extends AsyncWriteJournal {

  private static final Future<Iterable<Optional<Exception>>> ALL_WRITTEN = Future.successful(List.of());
  private static final Future<Void> DONE = Future.successful(null);

  @Override
  public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> messages) {
    return ALL_WRITTEN;
  }

  @Override
  public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
    return DONE;
  }

  @Override
  public Future<Void> doAsyncReplayMessages(
      String persistenceId, long fromSequenceNr, long toSequenceNr, long max, Consumer<PersistentRepr> replayCallback) {
    return DONE;
  }

  @Override
  public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
    return Future.successful(0L);
  }
}
