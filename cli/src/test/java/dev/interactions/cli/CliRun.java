package dev.interactions.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * One run of the CLI in this JVM, as {@code main} runs it but with its output captured.
 *
 * @param status the exit status
 * @param out what it printed on stdout
 * @param err what it printed on stderr
 */
record CliRun(int status, String out, String err) {

  static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status =
        InteractionsCli.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
    return new CliRun(status, out.toString(), err.toString());
  }

  @Override
  public String toString() {
    return "exit " + status + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
  }
}
