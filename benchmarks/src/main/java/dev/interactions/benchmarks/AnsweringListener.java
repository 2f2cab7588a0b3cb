package dev.interactions.benchmarks;

import dev.interactions.api.ClientHandle;
import dev.interactions.api.InteractionListener;
import dev.interactions.protocol.RawJson;
import dev.interactions.protocol.ServerMessage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * An in-process client of the Java API ({@code Orchestrator.attach}) that answers every interaction it is shown at once
 * through its {@link ClientHandle}. Receipts other than an ack (or asks that fail) are counted, with the first kept.
 */
final class AnsweringListener implements InteractionListener {

  private final CompletableFuture<ClientHandle> handle = new CompletableFuture<>();
  private final RawJson answer;
  private final LongAdder refusedAnswers;
  private final AtomicReference<String> firstRefusal;

  AnsweringListener(RawJson answer, LongAdder refusedAnswers, AtomicReference<String> firstRefusal) {
    this.answer = answer;
    this.refusedAnswers = refusedAnswers;
    this.firstRefusal = firstRefusal;
  }

  /** Called once {@code attach} completed: interactions shown before that are answered then. */
  void attached(ClientHandle client) {
    handle.complete(client);
  }

  @Override
  public void onInteraction(ServerMessage.Interaction interaction) {
    handle.thenAccept(
        client ->
            client
                .answer(interaction.id(), answer)
                .whenComplete(
                    (receipt, failure) -> {
                      if (failure != null || !(receipt instanceof ServerMessage.Ack)) {
                        refusedAnswers.increment();
                        firstRefusal.compareAndSet(null, failure != null ? failure.toString() : receipt.toString());
                      }
                    }));
  }

  @Override
  public void onClosed(ServerMessage.Closed closed) {}
}
