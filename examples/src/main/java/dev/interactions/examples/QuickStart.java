package dev.interactions.examples;

import dev.interactions.api.ClientHandle;
import dev.interactions.api.InteractionListener;
import dev.interactions.api.Orchestrator;
import dev.interactions.core.InteractionOutcome;
import dev.interactions.core.InteractionRequest;
import dev.interactions.protocol.RawJson;
import dev.interactions.protocol.ServerMessage;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded orchestrator end to end: an AI agent asks "may I run this tool?", a person's device (an in-process
 * client here) is shown the prompt and approves it, and the agent gets the outcome. A second request is cancelled by the
 * agent and a third expires, so the three ways an ask ends without an answer are visible too.
 */
public final class QuickStart {

  private static final Logger log = LoggerFactory.getLogger(QuickStart.class);

  private QuickStart() {}

  public static void main(String[] args) throws Exception {
    try (Orchestrator orchestrator = Orchestrator.start()) {
      CompletableFuture<ClientHandle> device = new CompletableFuture<>();
      ClientHandle phone =
          orchestrator
              .attach(
                  "alice",
                  new InteractionListener() {
                    @Override
                    public void onInteraction(ServerMessage.Interaction interaction) {
                      log.info("device  <- {} {} (expires {})", interaction.kind(), interaction.payload(), interaction.expiresAt());
                      if (interaction.kind().equals("tool-approval")) {
                        device.thenAccept(
                            self ->
                                self.answer(interaction.id(), RawJson.parse("value", "{\"approved\":true}"))
                                    .thenAccept(receipt -> log.info("device  <- {}", receipt)));
                      }
                    }

                    @Override
                    public void onClosed(ServerMessage.Closed closed) {
                      log.info("device  <- closed {} as {}", closed.id(), closed.outcome().wireName());
                    }
                  })
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
      device.complete(phone);
      log.info("device attached to session alice as {}", phone.connectionId());

      InteractionOutcome approval =
          orchestrator
              .request(
                  "alice",
                  InteractionRequest.of("tool-approval", RawJson.parse("payload", "{\"tool\":\"git push\"}")))
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
      log.info("agent   -> tool-approval ended: {}", approval);

      CompletableFuture<InteractionOutcome> question =
          orchestrator
              .request("alice", InteractionRequest.of("text", RawJson.parse("payload", "{\"message\":\"Why the force push?\"}")))
              .toCompletableFuture();
      question.cancel(false);
      log.info("agent   -> question cancelled by the agent: {}", question.isCancelled());

      InteractionOutcome signOff =
          orchestrator
              .request(
                  "alice",
                  InteractionRequest.of(
                      "sign-off", RawJson.parse("payload", "{\"doc\":\"Q3 report\"}"), Duration.ofMillis(500)))
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
      log.info("agent   -> sign-off ended: {}", signOff);

      phone.close();
      log.info("state of session alice after the device left: {}", orchestrator.state("alice").toCompletableFuture().get());
    }
    log.info("orchestrator closed");
  }
}
