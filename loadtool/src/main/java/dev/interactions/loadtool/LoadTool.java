package dev.interactions.loadtool;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code java -jar interactions-loadtool.jar [options]}: load and soak a running server, then check it for leaks.
 * {@code --help} lists the options and the exit status.
 */
@Command(
    name = "interactions-loadtool",
    customSynopsis = "java -jar interactions-loadtool.jar [options]",
    sortOptions = false,
    usageHelpWidth = 120,
    exitCodeOnInvalidInput = LoadTool.USAGE,
    description = {
      "",
      "Drives a running interaction orchestrator server over real sockets: WebSocket clients churning across sessions,"
          + " requesters creating interactions over HTTP, then checks that every interaction ended and that the server's"
          + " own gauges (GET /metrics) returned to where they were before the load.",
      "",
    },
    footer = {
      "",
      "Durations: 500ms, 20s, 30m, 1h (a bare number is seconds).",
      "",
      "With several servers the gauges are read from each, reported per node and in total, and each node must return"
          + " to its own baseline.",
      "",
      "With its default (durable) store the server lets a session go as soon as it has no client and nothing pending."
          + " With orchestrator.persistence.store=memory it keeps a session for closed-retention (10 minutes) after its"
          + " last interaction closed, which this tool reports as a leak unless --settle is longer: run such a server"
          + " with a short retention, e.g. -Dorchestrator.session.closed-retention=5s (not 0s: the server then forgets"
          + " an interaction as it closes, and a create-and-wait or DELETE reading its final state a moment later can"
          + " get 404, counted as errors).",
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:every interaction ended and the server returned to its baseline",
      "1:an interaction never ended (hung) or the server kept sessions, connections or pending interactions after the"
          + " settle period (a leak)",
      "2:bad options",
      "3:the server's gauges could not be read within --metrics-wait (no /metrics, or a gauge still missing), so leaks"
          + " cannot be checked",
    })
public final class LoadTool implements Callable<Integer> {

  /** Every interaction ended and the server returned to its baseline. */
  public static final int PASSED = 0;

  /** An interaction never ended, or the server did not return to its baseline. */
  public static final int FAILED = 1;

  /** The options are wrong. */
  public static final int USAGE = 2;

  /** The server's gauges could not be read before the load, so leaks could not be checked. */
  public static final int NO_GAUGES = 3;

  @Option(
      names = "--url",
      paramLabel = "URL[,URL...]",
      converter = UrlListConverter.class,
      defaultValue = "http://127.0.0.1:8080",
      description =
          "server address; several (repeated or comma-separated) for the nodes of a cluster: clients and requesters"
              + " are spread over them round-robin [${DEFAULT-VALUE}]")
  private List<UrlList> urls;

  @Option(
      names = "--metrics-url",
      paramLabel = "URL[,URL...]",
      converter = UrlListConverter.class,
      description = "Prometheus scrape of each server, same order [<url>/metrics]")
  private List<UrlList> metricsUrls;

  @Option(
      names = "--clients",
      paramLabel = "N",
      converter = PositiveCount.class,
      defaultValue = "200",
      description = "WebSocket clients kept connected [${DEFAULT-VALUE}]")
  private int clients;

  @Option(
      names = "--sessions",
      paramLabel = "S",
      converter = PositiveCount.class,
      defaultValue = "50",
      description = "sessions the clients are spread over [${DEFAULT-VALUE}]")
  private int sessions;

  @Option(
      names = "--requesters",
      paramLabel = "M",
      converter = PositiveCount.class,
      defaultValue = "20",
      description = "concurrent requesters (HTTP, closed loop) [${DEFAULT-VALUE}]")
  private int requesters;

  @Option(
      names = "--duration",
      paramLabel = "D",
      converter = DurationConverter.class,
      defaultValue = "60s",
      description = "how long to request interactions [${DEFAULT-VALUE}]")
  private Duration duration;

  @Option(
      names = "--mix",
      paramLabel = "WEIGHTS",
      converter = MixConverter.class,
      defaultValue = Mix.DEFAULT_TEXT,
      description = {
        "fates of the interactions, relative weights [${DEFAULT-VALUE}]",
        "answer: a client answers; reject: a client rejects; cancel: the requester DELETEs it; timeout: nobody"
            + " answers; drop: the client that sees it drops its socket without a close frame; disconnect: it closes"
            + " cleanly. Dropped and disconnected clients are replaced by new ones; their interactions expire.",
      })
  private Mix mix;

  @Option(
      names = "--interaction-timeout",
      paramLabel = "D",
      converter = DurationConverter.class,
      defaultValue = "1s",
      description = "timeoutMs of interactions meant to expire, between 100ms and 1h [${DEFAULT-VALUE}]")
  private Duration interactionTimeout;

  @Option(
      names = "--settle",
      paramLabel = "D",
      converter = DurationConverter.class,
      defaultValue = "60s",
      description = "after the load, how long to wait for the server to return to its baseline [${DEFAULT-VALUE}]")
  private Duration settle;

  @Option(
      names = "--metrics-wait",
      paramLabel = "D",
      converter = DurationConverter.class,
      defaultValue = "60s",
      description =
          "before the load, how long to wait for the server's first metrics snapshot (a server just started has none"
              + " until its first metrics tick) [${DEFAULT-VALUE}]")
  private Duration metricsWait;

  @Option(names = "--report", paramLabel = "FILE", description = "also write the report as JSON to FILE")
  private Path report;

  @Option(names = "--requester-token", paramLabel = "TOKEN", description = "bearer token of the requesters (auth on)")
  private String requesterToken;

  @Option(names = "--client-token", paramLabel = "TOKEN", description = "bearer token of the WebSocket clients (auth on)")
  private String clientToken;

  @Option(
      names = "--progress",
      paramLabel = "D",
      converter = DurationConverter.class,
      defaultValue = "5s",
      description = "interval of the progress lines [${DEFAULT-VALUE}]")
  private Duration progressEvery;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
  private boolean help;

  @Spec private CommandSpec spec;

  private final PrintStream out;
  private final PrintStream err;

  private LoadTool(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /**
   * Runs the tool with {@code args} against the server they name; returns the exit status. Bad options are told on
   * {@code err}, followed by the usage, and end in {@link #USAGE}.
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return commandLine(new LoadTool(out, err))
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(args);
  }

  /**
   * The options {@code args} give, checked as the command checks them, without running anything.
   *
   * @throws ParameterException naming the option at fault
   */
  public static LoadOptions parse(String... args) {
    LoadTool tool = new LoadTool(System.out, System.err);
    commandLine(tool).parseArgs(args);
    return tool.options();
  }

  private static CommandLine commandLine(LoadTool tool) {
    return new CommandLine(tool)
        // As before picocli: an option given twice keeps its last value (--url and --metrics-url add up instead).
        .setOverwrittenOptionsAllowed(true)
        .setParameterExceptionHandler(LoadTool::refuse)
        .setExecutionExceptionHandler(
            (exception, command, parsed) -> {
              if (exception instanceof InterruptedException) {
                Thread.currentThread().interrupt(); // the run was stopped from outside; whoever stopped it should know
              }
              throw exception;
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
    return USAGE;
  }

  @Override
  public Integer call() throws InterruptedException {
    LoadOptions options = options();
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
      report = new LoadRun(options, gauges, http, out).run();
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

  /** The parsed options checked against each other, as a {@link LoadOptions}. */
  private LoadOptions options() {
    List<URI> servers =
        distinct("--url", urls.stream().flatMap(list -> list.urls().stream()).map(LoadTool::withoutTrailingSlash).toList());
    List<URI> scrapes =
        metricsUrls == null
            ? servers.stream().map(url -> URI.create(url + "/metrics")).toList()
            : distinct("--metrics-url", metricsUrls.stream().flatMap(list -> list.urls().stream()).toList());
    if (scrapes.size() != servers.size()) {
      throw new ParameterException(
          spec.commandLine(),
          "--metrics-url names " + scrapes.size() + " scrape(s) for " + servers.size()
              + " server(s): give one per --url, in the same order");
    }
    if (interactionTimeout.toMillis() < 100 || interactionTimeout.toMillis() > 3_600_000) {
      // The server's own bounds (orchestrator.interaction.min-timeout / max-timeout): refuse here rather than 400s.
      throw new ParameterException(spec.commandLine(), "--interaction-timeout must be between 100ms and 1h");
    }
    return new LoadOptions(
        servers,
        scrapes,
        clients,
        sessions,
        requesters,
        duration,
        mix,
        interactionTimeout,
        settle,
        metricsWait,
        Optional.ofNullable(report),
        Optional.ofNullable(requesterToken),
        Optional.ofNullable(clientToken),
        progressEvery);
  }

  private static URI withoutTrailingSlash(URI url) {
    return URI.create(url.toString().replaceAll("/+$", ""));
  }

  private List<URI> distinct(String option, List<URI> uris) {
    Set<URI> seen = new HashSet<>();
    for (URI uri : uris) {
      if (!seen.add(uri)) {
        // The same server twice would count its gauges twice and skew the spread.
        throw new ParameterException(spec.commandLine(), option + " names " + uri + " twice");
      }
    }
    return uris;
  }

  /**
   * The URLs of one {@code --url} or {@code --metrics-url}: comma-separated, each http or https. Its own type rather
   * than picocli's {@code split}, which drops trailing empty parts, so that {@code --url http://a:1,} is refused as
   * before instead of read as one server.
   */
  record UrlList(List<URI> urls) {}

  static final class UrlListConverter implements ITypeConverter<UrlList> {
    @Override
    public UrlList convert(String text) {
      List<URI> urls = new ArrayList<>();
      for (String part : text.split(",", -1)) {
        urls.add(httpUrl(part));
      }
      return new UrlList(List.copyOf(urls));
    }

    private static URI httpUrl(String text) {
      try {
        URI uri = URI.create(text);
        if ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) {
          return uri;
        }
      } catch (IllegalArgumentException e) {
        // falls through to the message below
      }
      throw new TypeConversionException("'" + text + "' is not an http:// or https:// URL");
    }
  }

  static final class PositiveCount implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String text) {
      try {
        int value = Integer.parseInt(text.strip());
        if (value > 0) {
          return value;
        }
      } catch (NumberFormatException e) {
        // falls through to the message below, which says what is expected
      }
      throw new TypeConversionException("'" + text + "' is not a whole number above 0");
    }
  }

  /** {@code 500ms}, {@code 20s}, {@code 30m}, {@code 1h}, or a bare number of seconds; above zero. */
  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String text) {
      Duration duration;
      String value = text.strip().toLowerCase(Locale.ROOT);
      try {
        if (value.endsWith("ms")) {
          duration = Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
        } else {
          long amount = Long.parseLong(value.replaceAll("[smh]$", ""));
          duration =
              switch (value.charAt(value.length() - 1)) {
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                default -> Duration.ofSeconds(amount);
              };
        }
      } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
        throw new TypeConversionException("'" + text + "' is not a duration like 500ms, 20s, 30m, 1h");
      }
      if (duration.isNegative() || duration.isZero()) {
        throw new TypeConversionException("'" + text + "' is not above zero");
      }
      return duration;
    }
  }

  static final class MixConverter implements ITypeConverter<Mix> {
    @Override
    public Mix convert(String text) {
      try {
        return Mix.parse(text);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
