package dev.interactions.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interactions.client.InteractionState;
import dev.interactions.protocol.RawJson;
import dev.interactions.protocol.WireCodec;
import java.io.PrintWriter;

/**
 * What {@code ask}, {@code get} and {@code cancel} report: the interaction as the server sent it, as one JSON line on
 * stdout (fields that do not apply are left out, as on the wire), and the exit status of its outcome.
 */
final class Report {

  private static final ObjectMapper JSON =
      WireCodec.mapper().copy().setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL);

  private Report() {}

  /** Prints {@code state} on {@code out} and returns its exit status; an outcome this CLI does not know is told on {@code err}. */
  static int of(InteractionState state, PrintWriter out, PrintWriter err) {
    out.println(line(state));
    out.flush();
    if (state.isPending()) {
      return ExitStatus.PENDING;
    }
    return state
        .outcome()
        .map(outcome -> ExitStatus.of(state.kind(), outcome, state.value().map(RawJson::tree).orElse(null)))
        .orElseGet(
            () -> {
              err.println("error: the interaction ended as '" + state.status() + "', an outcome this CLI does not know");
              err.flush();
              return ExitStatus.ERROR;
            });
  }

  /** {@code state} as one line of JSON. */
  static String line(InteractionState state) {
    try {
      return JSON.writeValueAsString(state.wire());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an interaction that does not write as JSON: " + e.getOriginalMessage(), e);
    }
  }
}
