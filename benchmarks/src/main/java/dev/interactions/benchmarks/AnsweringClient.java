package dev.interactions.benchmarks;

import dev.interactions.core.Device;
import dev.interactions.core.InteractionOutcome;
import dev.interactions.core.Session;
import dev.interactions.core.SessionDirectory;
import dev.interactions.protocol.RawJson;
import dev.interactions.protocol.ServerMessage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The fastest faithful client of a session: a connection actor that answers every interaction it is shown at once, the
 * way a transport's connection actor forwards a client's answer. Receipts ({@code ack}) are dropped.
 */
final class AnsweringClient {

  private AnsweringClient() {}

  static Behavior<ServerMessage> create(
      SessionDirectory sessions, String sessionId, String connectionId, RawJson answer) {
    return Behaviors.setup(
        context -> {
          ActorRef<ServerMessage.Receipt> receipts = context.getSystem().ignoreRef();
          InteractionOutcome.Answered answered = new InteractionOutcome.Answered(answer, connectionId);
          return Behaviors.receive(ServerMessage.class)
              .onMessage(
                  ServerMessage.Interaction.class,
                  interaction -> {
                    sessions.tell(
                        sessionId, new Session.Respond(interaction.id(), Device.inProcess(connectionId), answered, null, receipts, false));
                    return Behaviors.same();
                  })
              .onMessage(ServerMessage.class, other -> Behaviors.same())
              .build();
        });
  }
}
