package dev.interactions.cli;

import dev.interactions.client.InteractionsClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code interactions cancel ID}: end a pending interaction as cancelled. */
@Command(
    name = "cancel",
    description = {
      "Cancels an interaction (its devices retract it), prints its final state as one JSON line and exits with its"
          + " outcome: 2 (cancelled), or the outcome it had already ended with.",
      "",
    })
final class CancelCommand implements Callable<Integer> {

  @Mixin private ServerOptions server;

  @Parameters(index = "0", paramLabel = "ID", converter = IdConverter.class, description = "the interaction's id")
  private String id;

  @Spec private CommandSpec spec;

  @Override
  public Integer call() {
    try (InteractionsClient client = server.client()) {
      return Report.of(
          server.await(client.requester().cancel(server.session(), id)), spec.commandLine().getOut(), spec.commandLine().getErr());
    }
  }
}
