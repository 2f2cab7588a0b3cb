package dev.interactions.loadtool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LoadOptionsTest {

  @Test
  void defaultsSuitALaptop() {
    LoadOptions options = LoadOptions.parse();

    assertEquals(URI.create("http://127.0.0.1:8080"), options.url());
    assertEquals(URI.create("http://127.0.0.1:8080/metrics"), options.metricsUrl());
    assertEquals(200, options.clients());
    assertEquals(50, options.sessions());
    assertEquals(20, options.requesters());
    assertEquals(Duration.ofSeconds(60), options.duration());
    assertEquals(Mix.DEFAULT, options.mix());
    assertEquals(Optional.empty(), options.report());
  }

  @Test
  void readsBothOptionForms() {
    LoadOptions options =
        LoadOptions.parse(
            "--url=http://10.0.0.5:9090/", "--clients", "10000", "--duration", "30m", "--interaction-timeout=500ms",
            "--mix", "answer=1,drop=1", "--report", "out.json", "--requester-token", "r", "--client-token", "c");

    assertEquals(URI.create("http://10.0.0.5:9090"), options.url());
    assertEquals(URI.create("http://10.0.0.5:9090/metrics"), options.metricsUrl());
    assertEquals(10_000, options.clients());
    assertEquals(Duration.ofMinutes(30), options.duration());
    assertEquals(Duration.ofMillis(500), options.interactionTimeout());
    assertEquals(new Mix(Map.of(Fate.ANSWER, 1, Fate.DROP, 1)), options.mix());
    assertEquals(Optional.of(Path.of("out.json")), options.report());
    assertEquals(Optional.of("r"), options.requesterToken());
    assertEquals(Optional.of("c"), options.clientToken());
    assertEquals("load-abc-3", options.sessionOf("abc", 53));
  }

  @Test
  void namesTheOptionAtFault() {
    assertEquals("unknown option --client", message("--client", "5"));
    assertEquals("--clients must be a whole number above 0, not '0'", message("--clients", "0"));
    assertEquals("--settle: 'soon' is not a duration like 500ms, 20s, 30m, 1h", message("--settle", "soon"));
    assertEquals("--mix: unknown fate 'answr'", message("--mix", "answr=5"));
    assertEquals("--mix: at least one weight must be positive", message("--mix", "answer=0"));
    assertEquals("--interaction-timeout must be between 100ms and 1h", message("--interaction-timeout", "50ms"));
    assertEquals("--url must be an http:// or https:// URL, not 'ws://x'", message("--url", "ws://x"));
    assertEquals("--duration needs a value", message("--duration"));
  }

  @Test
  void theMixDrawsEveryFateInProportion() {
    Mix mix = Mix.parse("answer=6,reject=3,drop=1");
    SplittableRandom random = new SplittableRandom(42);
    int[] drawn = new int[Fate.values().length];
    for (int i = 0; i < 100_000; i++) {
      drawn[mix.draw(random).ordinal()]++;
    }

    assertEquals(60_000, drawn[Fate.ANSWER.ordinal()], 1_000);
    assertEquals(30_000, drawn[Fate.REJECT.ordinal()], 1_000);
    assertEquals(10_000, drawn[Fate.DROP.ordinal()], 1_000);
    assertEquals(0, drawn[Fate.CANCEL.ordinal()] + drawn[Fate.TIMEOUT.ordinal()] + drawn[Fate.DISCONNECT.ordinal()]);
  }

  private static String message(String... args) {
    return assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse(args)).getMessage();
  }
}
