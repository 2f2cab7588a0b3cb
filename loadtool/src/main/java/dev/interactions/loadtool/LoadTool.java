package dev.interactions.loadtool;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code java -jar interactions-loadtool.jar [options]}: load and soak a running server, then check it for leaks.
 * {@code --help} lists the options and the exit status.
 */
public final class LoadTool {

  /** Every interaction ended and the server returned to its baseline. */
  public static final int PASSED = 0;

  /** An interaction never ended, or the server did not return to its baseline. */
  public static final int FAILED = 1;

  /** The options are wrong. */
  public static final int USAGE = 2;

  /** The server's gauges could not be read before the load, so leaks could not be checked. */
  public static final int NO_GAUGES = 3;

  private LoadTool() {}

  public static void main(String[] args) throws InterruptedException {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the tool with {@code args} against the server they name; returns the exit status. */
  public static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
    if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
      out.print(LoadOptions.USAGE);
      return PASSED;
    }
    LoadOptions options;
    try {
      options = LoadOptions.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println();
      err.print(LoadOptions.USAGE);
      return USAGE;
    }
    ObjectMapper json = new ObjectMapper().registerModule(new Jdk8Module());
    HttpClient http =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    List<GaugeSource> scrapes = new ArrayList<>();
    for (URI metricsUrl : options.metricsUrls()) {
      scrapes.add(new MetricsEndpoint(http, metricsUrl, options.requesterToken(), GaugeNames.SERVER));
    }
    ClusterGaugeSource gauges = new ClusterGaugeSource(options.urls(), scrapes);
    LoadReport report;
    try {
      report = new LoadRun(options, gauges, http, json, out).run();
    } catch (GaugesUnavailableException e) {
      err.println("error: cannot read the server's gauges, so leaks cannot be checked; nothing was run.");
      err.println("  " + e.getMessage());
      err.println("  The tool needs server's Prometheus scrape (--metrics-url, default <url>/metrics).");
      return NO_GAUGES;
    }
    out.print(report.toText());
    if (options.report().isPresent()) {
      Path file = options.report().get();
      try {
        json.writer().with(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), report);
        out.println("report written to " + file);
      } catch (IOException e) {
        err.println("error: could not write the report to " + file + ": " + e.getMessage());
        return FAILED;
      }
    }
    return report.passed() ? PASSED : FAILED;
  }
}
