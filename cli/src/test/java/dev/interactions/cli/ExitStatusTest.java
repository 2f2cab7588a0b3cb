package dev.interactions.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interactions.protocol.OutcomeCode;
import dev.interactions.protocol.RawJson;
import org.junit.jupiter.api.Test;

class ExitStatusTest {

  @Test
  void anAnswerSucceedsWhateverItSaysUnlessItIsAConfirm() {
    assertEquals(0, ExitStatus.of("text", OutcomeCode.ANSWERED, json("{\"text\":\"no\"}")));
    assertEquals(0, ExitStatus.of("tool-approval", OutcomeCode.ANSWERED, json("{\"approved\":false}")));
    assertEquals(0, ExitStatus.of("own-kind", OutcomeCode.ANSWERED, null));
  }

  @Test
  void aConfirmSucceedsOnlyWhenConfirmed() {
    assertEquals(0, ExitStatus.of("confirm", OutcomeCode.ANSWERED, json("{\"confirmed\":true}")));
    assertEquals(1, ExitStatus.of("confirm", OutcomeCode.ANSWERED, json("{\"confirmed\":false,\"reason\":\"Friday\"}")));
    // Never go ahead on an answer that is not a plain yes.
    assertEquals(1, ExitStatus.of("confirm", OutcomeCode.ANSWERED, json("{\"confirmed\":\"true\"}")));
    assertEquals(1, ExitStatus.of("confirm", OutcomeCode.ANSWERED, json("null")));
    assertEquals(1, ExitStatus.of("confirm", OutcomeCode.ANSWERED, null));
  }

  @Test
  void aRejectionIsOne() {
    assertEquals(1, ExitStatus.of("confirm", OutcomeCode.REJECTED, null));
    assertEquals(1, ExitStatus.of("own-kind", OutcomeCode.REJECTED, null));
  }

  @Test
  void everyEndWithoutADecisionIsTwo() {
    for (OutcomeCode outcome :
        new OutcomeCode[] {
          OutcomeCode.EXPIRED, OutcomeCode.CANCELLED, OutcomeCode.DISCONNECTED, OutcomeCode.UNDELIVERED, OutcomeCode.SHUTDOWN
        }) {
      assertEquals(2, ExitStatus.of("confirm", outcome, null), outcome.wireName());
    }
  }

  private static JsonNode json(String text) {
    return RawJson.parse("value", text).tree();
  }
}
