package dev.interactions.cli;

import dev.interactions.client.InteractionState;
import dev.interactions.client.InteractionsClient;
import dev.interactions.client.Requester;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code interactions get ID}: an interaction's state, at once or once it ended. */
@Command(
    name = "get",
    description = {
      "Prints an interaction as one JSON line and exits with its outcome, or 5 while it is pending; with --wait, waits"
          + " until it ended.",
      "",
    })
final class GetCommand implements Callable<Integer> {

  @Mixin private ServerOptions server;

  @Parameters(index = "0", paramLabel = "ID", converter = IdConverter.class, description = "the interaction's id")
  private String id;

  @Option(names = "--wait", description = "wait until it ended (at the latest its deadline, as devices extend it)")
  private boolean untilEnded;

  @Spec private CommandSpec spec;

  @Override
  public Integer call() {
    try (InteractionsClient client = server.client()) {
      Requester requester = client.requester();
      InteractionState state =
          server.await(untilEnded ? requester.awaitClosed(server.session(), id) : requester.get(server.session(), id));
      return Report.of(state, spec.commandLine().getOut(), spec.commandLine().getErr());
    }
  }
}
