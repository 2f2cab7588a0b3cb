package dev.interactions.benchmarks;

import dev.interactions.api.Orchestrator;
import dev.interactions.core.Session;
import dev.interactions.core.SessionDirectory;
import dev.interactions.protocol.ServerMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;

/** Client connection actors of the benchmarks, spawned beside the orchestrator's and attached like a transport's. */
final class ClientActors {

  private static final int ATTACH_BATCH = 5_000;

  private ClientActors() {}

  /** Spawns {@code count} client actors named {@code prefix + i}; the name doubles as the connection id. */
  static List<ActorRef<ServerMessage>> spawn(
      Orchestrator orchestrator, String prefix, int count, Function<String, Behavior<ServerMessage>> behavior) {
    List<ActorRef<ServerMessage>> clients = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String name = prefix + i;
      clients.add(orchestrator.system().systemActorOf(behavior.apply(name), name, Props.empty()));
    }
    return clients;
  }

  /** Attaches client {@code i} to session {@code sessionPrefix + i}, {@value #ATTACH_BATCH} at a time. */
  static void attach(
      SessionDirectory directory, String sessionPrefix, List<ActorRef<ServerMessage>> clients, Duration timeout) {
    for (int from = 0; from < clients.size(); from += ATTACH_BATCH) {
      List<CompletableFuture<Session.AttachResult>> batch = new ArrayList<>();
      for (int i = from; i < Math.min(clients.size(), from + ATTACH_BATCH); i++) {
        ActorRef<ServerMessage> client = clients.get(i);
        String connectionId = client.path().name();
        batch.add(
            directory
                .<Session.AttachResult>ask(
                    sessionPrefix + i, replyTo -> new Session.Attach(connectionId, client, replyTo), timeout)
                .toCompletableFuture());
      }
      for (CompletableFuture<Session.AttachResult> attached : batch) {
        Session.AttachResult result = attached.join();
        if (!(result instanceof Session.Attached)) {
          throw new IllegalStateException("attach refused: " + result);
        }
      }
    }
  }
}
