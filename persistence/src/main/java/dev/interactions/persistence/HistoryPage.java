package dev.interactions.persistence;

import dev.interactions.core.SessionEvent;
import java.util.List;
import java.util.Optional;

/**
 * One page of a session's history of closed interactions, oldest first.
 *
 * @param closed the closed interactions on this page
 * @param next the cursor for the following page ({@code after}), empty if this page reached the end
 */
public record HistoryPage(List<Entry> closed, Optional<String> next) {

  /** A closed interaction and its position in the session's journal, which is what cursors name. */
  public record Entry(long sequenceNr, SessionEvent.Closed interaction) {}
}
