package dev.interactions.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Usage and help, without a server: nothing here reaches the network. */
class CommandLineTest {

  @Test
  void helpListsTheCommandsAndTheExitStatus() {
    CliRun run = CliRun.of("--help");

    assertEquals(0, run.status(), run::toString);
    assertTrue(run.out().startsWith("Usage: interactions [-h] [COMMAND]"), run::toString);
    for (String part : new String[] {"ask", "get", "cancel", "Exit status:", "ORCHESTRATOR_TOKEN"}) {
      assertTrue(run.out().contains(part), part + " missing:\n" + run);
    }
    assertEquals("", run.err());
  }

  @Test
  void eachCommandHasItsHelp() {
    CliRun ask = CliRun.of("ask", "--help");
    CliRun get = CliRun.of("get", "--help");
    CliRun cancel = CliRun.of("cancel", "-h");

    assertEquals(0, ask.status(), ask::toString);
    for (String option :
        new String[] {"--url", "--token", "--session", "--kind", "--payload", "--timeout", "--idempotency-key", "--no-wait", "MESSAGE"}) {
      assertTrue(ask.out().contains(option), option + " missing:\n" + ask);
    }
    // The load tool reads a bare number as seconds: each tool's help says which unit it takes.
    assertTrue(ask.out().replaceAll("\\s+", " ").contains("a bare number is milliseconds"), ask::toString);
    assertEquals(0, get.status(), get::toString);
    assertTrue(get.out().contains("--wait") && get.out().contains("ID"), get::toString);
    assertEquals(0, cancel.status(), cancel::toString);
    assertTrue(cancel.out().startsWith("Usage: interactions cancel"), cancel::toString);
  }

  @Test
  void badUsageExitsFourWithTheMessageAndTheCommandsUsage() {
    CliRun noSession = CliRun.of("ask", "Deploy?");

    assertEquals(ExitStatus.USAGE, noSession.status(), noSession::toString);
    assertEquals("", noSession.out());
    assertTrue(noSession.err().startsWith("error: Missing required option: '--session=ID'\n"), noSession::toString);
    assertTrue(noSession.err().contains("Usage: interactions ask"), noSession::toString);
  }

  @Test
  void eachMistakeIsAUsageError() {
    assertUsage("Missing required subcommand", "");
    assertUsage("Unknown option: '--no-wiat'", "ask", "--session", "s", "--no-wiat", "Deploy?");
    assertUsage("Invalid value for option '--timeout': 'soon' is not a duration like 90s, 2m, 1h, 500ms or 1500 (ms)",
        "ask", "--session", "s", "--timeout", "soon", "Deploy?");
    assertUsage("Invalid value for option '--session': 'a b' may only contain letters, digits and . _ : -",
        "ask", "--session", "a b", "Deploy?");
    assertUsage("Invalid value for option '--url': 'ftp://x' is not an http:// or https:// URL",
        "ask", "--url", "ftp://x", "--session", "s", "Deploy?");
    assertUsage("--payload is not JSON: ", "ask", "--session", "s", "--payload", "{deploy}");
    assertUsage("a message needs --payload to be a JSON object", "ask", "--session", "s", "--payload", "[1]", "Deploy?");
    assertUsage("Unmatched argument at index 4: 'Really?'", "ask", "--session", "s", "Deploy?", "Really?");
    assertUsage("Missing required parameter: 'ID'", "get", "--session", "s");
    assertUsage("Invalid value for positional parameter at index 0 (ID): 'x/y' may only contain letters, digits and . _ : -",
        "cancel", "--session", "s", "x/y");
  }

  private static void assertUsage(String messageStart, String... args) {
    String[] arguments = args.length == 1 && args[0].isEmpty() ? new String[0] : args;
    CliRun run = CliRun.of(arguments);
    assertEquals(ExitStatus.USAGE, run.status(), run::toString);
    assertTrue(run.err().startsWith("error: " + messageStart), "expected 'error: " + messageStart + "…', got:\n" + run);
    assertEquals("", run.out(), run::toString);
  }
}
