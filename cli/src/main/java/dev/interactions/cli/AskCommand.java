package dev.interactions.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interactions.client.InteractionRequest;
import dev.interactions.client.InteractionState;
import dev.interactions.client.InteractionsClient;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code interactions ask}: request an interaction and wait for its outcome (or only print its id). */
@Command(
    name = "ask",
    description = {
      "Asks the devices connected to a session, waits until the interaction ends, prints it as one JSON line and exits"
          + " with its outcome.",
      "",
      "  interactions ask --session alice --timeout 2m \"Deploy to production?\" && deploy",
      "",
    })
final class AskCommand implements Callable<Integer> {

  @Mixin private ServerOptions server;

  @Option(
      names = "--kind",
      paramLabel = "KIND",
      defaultValue = "confirm",
      description = "confirm, choice, multi_choice, text, form, or a kind of your own (default: ${DEFAULT-VALUE})")
  private String kind;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "MESSAGE",
      description = "what to ask; the payload's \"message\"")
  private String message;

  @Option(
      names = "--payload",
      paramLabel = "JSON",
      description = "the whole payload, e.g. a choice's options; a MESSAGE given too becomes its \"message\"")
  private String payload;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      converter = HumanDuration.class,
      description =
          "how long it stays pending before it expires: 90s, 2m, 1h, 500ms; a bare number is milliseconds, the unit of"
              + " the protocol's timeoutMs (default: the server's, 5m)")
  private Duration timeout;

  @Option(
      names = "--idempotency-key",
      paramLabel = "KEY",
      converter = IdConverter.class,
      description = "asking again with the same key (a retried CI job) names the same interaction instead of a new one")
  private String idempotencyKey;

  @Option(
      names = "--no-wait",
      description = "print the interaction's id as soon as it is created and exit 0; read it later with get")
  private boolean noWait;

  @Spec private CommandSpec spec;

  @Override
  public Integer call() {
    InteractionRequest request = request();
    try (InteractionsClient client = server.client()) {
      if (noWait) {
        InteractionState created = server.await(client.requester().create(server.session(), request));
        spec.commandLine().getOut().println(created.id());
        return ExitStatus.CREATED;
      }
      InteractionState ended = server.await(client.requester().createAndWait(server.session(), request));
      return Report.of(ended, spec.commandLine().getOut(), spec.commandLine().getErr());
    }
  }

  private InteractionRequest request() {
    JsonNode body;
    try {
      body = AskPayload.of(message, payload);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    InteractionRequest.Builder builder = InteractionRequest.builder(kind, body);
    if (timeout != null) {
      builder.timeout(timeout);
    }
    if (idempotencyKey != null) {
      builder.idempotencyKey(idempotencyKey);
    }
    return builder.build();
  }
}
