package dev.interactions.benchmarks;

import dev.interactions.core.Attachment;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import dev.interactions.api.Orchestrator;
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

  /**
   * Attaches client {@code i} to session {@code sessionPrefix + i}, {@value #ATTACH_BATCH} at a time, as a transport
   * does: through an {@link Attachment}, owned by an actor that hands the client its frames and stops with it.
   */
  static void attach(
      Orchestrator orchestrator, String sessionPrefix, List<ActorRef<ServerMessage>> clients, Duration timeout) {
    for (int from = 0; from < clients.size(); from += ATTACH_BATCH) {
      List<CompletableFuture<Attachment.Event>> batch = new ArrayList<>();
      for (int i = from; i < Math.min(clients.size(), from + ATTACH_BATCH); i++) {
        ActorRef<ServerMessage> client = clients.get(i);
        CompletableFuture<Attachment.Event> attached = new CompletableFuture<>();
        orchestrator
            .system()
            .systemActorOf(
                owner(orchestrator, sessionPrefix + i, client, attached, timeout),
                client.path().name() + "-attachment",
                Props.empty());
        batch.add(attached);
      }
      for (CompletableFuture<Attachment.Event> attached : batch) {
        Attachment.Event event = attached.join();
        if (!(event instanceof Attachment.Attached)) {
          throw new IllegalStateException("attach refused: " + event);
        }
      }
    }
  }

  private static Behavior<Attachment.Event> owner(
      Orchestrator orchestrator,
      String sessionId,
      ActorRef<ServerMessage> client,
      CompletableFuture<Attachment.Event> attached,
      Duration timeout) {
    return Behaviors.setup(
        context -> {
          context.watch(client);
          context.spawn(
              Attachment.create(
                  sessionId, client.path().name(), orchestrator.sessions(), context.getSelf(), timeout, Duration.ofMillis(500)),
              "attachment");
          return Behaviors.receive(Attachment.Event.class)
              .onMessage(
                  Attachment.Deliver.class,
                  deliver -> {
                    client.tell(deliver.message());
                    return Behaviors.same();
                  })
              .onAnyMessage(
                  event -> {
                    attached.complete(event);
                    return event instanceof Attachment.Lost ? Behaviors.stopped() : Behaviors.same();
                  })
              .onSignal(Terminated.class, clientStopped -> Behaviors.stopped())
              .build();
        });
  }
}
