package dev.interactions.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code interactions}: the requester side of the protocol from a shell or a CI job. {@code ask} requests an
 * interaction and waits for its outcome, {@code get} and {@code cancel} act on one by id; each prints the interaction
 * as one JSON line and exits with its outcome ({@link ExitStatus}), so that {@code interactions ask … && deploy}
 * deploys only on a yes.
 */
@Command(
    name = "interactions",
    description = {
      "Asks a person something through a running interaction orchestrator and exits with what they decided.",
      "",
    },
    subcommands = {AskCommand.class, GetCommand.class, CancelCommand.class},
    exitCodeOnInvalidInput = ExitStatus.USAGE,
    exitCodeOnExecutionException = ExitStatus.ERROR,
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:answered (a confirm: confirmed); ask --no-wait: created",
      "1:rejected (a confirm: answered not confirmed)",
      "2:expired, cancelled, disconnected, undelivered, or the server shut down",
      "3:refused by the server, or it could not be reached (the message is on stderr)",
      "4:bad usage",
      "5:get without --wait: still pending",
    },
    footer = {
      "",
      "Environment: ORCHESTRATOR_URL and ORCHESTRATOR_TOKEN stand for --url and --token.",
    })
public final class InteractionsCli {

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      scope = ScopeType.INHERIT,
      description = "show this help and exit")
  private boolean help;

  private InteractionsCli() {}

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /**
   * The command line, ready to {@link CommandLine#execute execute}: a bad command line is told on its error writer with
   * the usage and ends in {@link ExitStatus#USAGE}, a failed call to the server is told there and ends in {@link
   * ExitStatus#ERROR}.
   */
  public static CommandLine commandLine() {
    return new CommandLine(new InteractionsCli())
        // A message is free text: "@alice, deploy?" is a message, not a file of arguments to read.
        .setExpandAtFiles(false)
        .setParameterExceptionHandler(InteractionsCli::refuse)
        .setExecutionExceptionHandler(
            (exception, command, parsed) -> {
              PrintWriter err = command.getErr();
              if (exception instanceof CallFailedException) {
                err.println("error: " + exception.getMessage());
              } else {
                // Not the server's doing but ours: the trace is what a bug report needs.
                err.println("error: " + exception);
                exception.printStackTrace(err);
              }
              err.flush();
              return ExitStatus.ERROR;
            });
  }

  private static int refuse(ParameterException exception, String[] args) {
    CommandLine command = exception.getCommandLine();
    PrintWriter err = command.getErr();
    err.println("error: " + exception.getMessage());
    UnmatchedArgumentException.printSuggestions(exception, err);
    err.println();
    command.usage(err);
    err.flush();
    return ExitStatus.USAGE;
  }
}
