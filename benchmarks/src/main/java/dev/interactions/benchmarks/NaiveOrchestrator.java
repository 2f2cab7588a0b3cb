package dev.interactions.benchmarks;

import dev.interactions.protocol.RawJson;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The baseline: what people write by hand, after the seed audits ({@code shared/seeds/000}, {@code 001}) and the peers'
 * {@code naive-server.mjs}, in Java. Leaks included on purpose; do not fix them.
 *
 * <ul>
 *   <li>{@code connectedClients}: session id to its clients; entries go only when a client disconnects cleanly.
 *   <li>{@code interactionsBySession}: session id to every interaction id it ever had; never pruned.
 *   <li>{@code pendingInteractions}: interaction id to its future; removed only when an answer resolves it. The
 *       deadline ({@code orTimeout}, the {@code setTimeout} of the original) fails the future but leaves the entry.
 * </ul>
 *
 * <p>A client is a callback run on {@code clientThreads}, one hop away from the requester like a connection actor is.
 * Unlike {@code naive-server.mjs}, clients are found by session in a map rather than by scanning every client, which
 * favours the baseline.
 */
final class NaiveOrchestrator {

  record Interaction(String id, String kind, RawJson payload) {}

  private record Client(String clientId, Consumer<Interaction> onInteraction) {}

  private record Pending(
      String id,
      String sessionId,
      String kind,
      RawJson payload,
      long requestedAtMillis,
      CompletableFuture<RawJson> future) {}

  private final Executor clientThreads;
  private final Map<String, Map<String, Client>> connectedClients = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> interactionsBySession = new ConcurrentHashMap<>();
  private final Map<String, Pending> pendingInteractions = new ConcurrentHashMap<>();

  NaiveOrchestrator(Executor clientThreads) {
    this.clientThreads = clientThreads;
  }

  void connect(String sessionId, String clientId, Consumer<Interaction> onInteraction) {
    connectedClients
        .computeIfAbsent(sessionId, id -> new ConcurrentHashMap<>())
        .put(clientId, new Client(clientId, onInteraction));
  }

  CompletableFuture<RawJson> request(String sessionId, String kind, RawJson payload, Duration timeout) {
    Map<String, Client> targets = connectedClients.get(sessionId);
    if (targets == null || targets.isEmpty()) {
      return CompletableFuture.failedFuture(new IllegalStateException("nobody connected to " + sessionId));
    }
    String interactionId = UUID.randomUUID().toString();
    interactionsBySession.computeIfAbsent(sessionId, id -> ConcurrentHashMap.newKeySet()).add(interactionId);
    CompletableFuture<RawJson> future = new CompletableFuture<>();
    pendingInteractions.put(
        interactionId, new Pending(interactionId, sessionId, kind, payload, System.currentTimeMillis(), future));
    future.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    Interaction frame = new Interaction(interactionId, kind, payload);
    for (Client client : targets.values()) {
      clientThreads.execute(() -> client.onInteraction().accept(frame));
    }
    return future;
  }

  void answer(String interactionId, RawJson answer) {
    Pending interaction = pendingInteractions.remove(interactionId);
    if (interaction != null) {
      interaction.future().complete(answer);
    }
  }

  /** Interaction ids the never-pruned index holds, the leak this design is known for. */
  long indexedInteractions() {
    return interactionsBySession.values().stream().mapToLong(Set::size).sum();
  }
}
