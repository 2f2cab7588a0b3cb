package dev.interactions.benchmarks;

import static dev.interactions.benchmarks.Markdown.line;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Issue 11's failover benchmark: the time from {@code kill -9} of the node hosting SESSIONS sessions, PENDING of them
 * with one pending interaction each, to every pending interaction back on the surviving nodes and every client
 * replayed. Not a test: it measures a running three-node cluster ({@code scripts/cluster.sh up}, HTTP 8081–8083,
 * cluster 25521–25523) and kills one of its nodes. {@code benchmarks/failover.sh} starts the cluster on a fresh
 * database, runs this and stops the cluster.
 *
 * <p>Placement: the sessions are chosen so that all of them live on the victim. Sessions are sharded by the default
 * extractor ({@code abs(id.hashCode) % 100}); the benchmark first asks for one session of each of the 100 shards
 * ({@code GET /v1/sessions/{id}} reports the hosting node), which also makes the coordinator allocate every shard, and
 * then picks session ids among the victim's shards. Every chosen session is checked with a GET before the kill.
 *
 * <p>Clients: one WebSocket client per session, connected to one of the two surviving nodes (alternately), so that
 * client and session are always on different nodes. Clients ping every 10 s (heartbeat 15 s). The pending interactions
 * are created over HTTP with the maximum timeout (1 h), one in each of PENDING sessions spread evenly.
 *
 * <p>Measured from the kill (nanoTime right before SIGKILL of the victim's pid, read from cluster.sh's pid file):
 *
 * <ul>
 *   <li>(a) back: every pending interaction is polled with {@code GET /v1/sessions/{s}/interactions/{id}} on the
 *       surviving nodes, one request in flight per interaction, each with a 3-s client timeout (a request routed to
 *       the dead node is lost, and the server's own ask waits 10 s), until it answers pending with its original id
 *       and {@code expiresAt}; the time is that reply's arrival;
 *   <li>(b) replayed: a client is replayed when it receives {@code synced} after the kill; for the clients of the
 *       sessions with an interaction, the frames between the kill and {@code synced} must be exactly that interaction
 *       (same id, same {@code expiresAt});
 *   <li>(c) reconnects: every socket the server closed (or that failed), each reconnected at once to the same node.
 * </ul>
 *
 * <p>Arguments: {@code [--sessions N] [--pending N] [--victim 1|2|3] [--within SECONDS] [--state DIR] [--label TEXT]}.
 * Progress goes to stderr; stdout carries a markdown summary and a {@code JSON} line, also written to
 * {@code benchmarks/target/failover-<time>.json}.
 */
public final class FailoverBenchmark {

  private static final int SHARDS = 100;
  private static final String PING = "{\"type\":\"ping\"}";
  private static final Duration POLL_TIMEOUT = Duration.ofSeconds(3);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The moment of the kill (System.nanoTime), 0 before it. */
  private static volatile long killedAt;

  private FailoverBenchmark() {}

  record Options(int sessions, int pending, int victim, Duration within, Path state, String label) {
    static Options parse(String[] args) {
      int sessions = 10_000;
      int pending = 1_000;
      int victim = 3;
      Duration within = Duration.ofSeconds(300);
      Path state = Path.of(".cluster");
      String label = "";
      for (int i = 0; i < args.length; i += 2) {
        String value = args[i + 1];
        switch (args[i]) {
          case "--sessions" -> sessions = Integer.parseInt(value);
          case "--pending" -> pending = Integer.parseInt(value);
          case "--victim" -> victim = Integer.parseInt(value);
          case "--within" -> within = Duration.ofSeconds(Long.parseLong(value));
          case "--state" -> state = Path.of(value);
          case "--label" -> label = value;
          default -> throw new IllegalArgumentException("unknown option " + args[i] + ", see the class comment");
        }
      }
      if (pending > sessions || victim < 1 || victim > 3) {
        throw new IllegalArgumentException("pending <= sessions, victim 1 to 3");
      }
      return new Options(sessions, pending, victim, within, state, label);
    }
  }

  /** Node {@code number} of scripts/cluster.sh. */
  record Node(int number) {
    URI http(String path) {
      return URI.create("http://127.0.0.1:" + (8080 + number) + path);
    }

    URI ws(String path) {
      return URI.create("ws://127.0.0.1:" + (8080 + number) + path);
    }

    String clusterAddress() {
      return "127.0.0.1:" + (25520 + number);
    }
  }

  /** Times from the kill, in milliseconds: how many, and their distribution. */
  record Times(int count, long firstMs, long p50Ms, long p90Ms, long p99Ms, long lastMs) {
    static Times of(List<Long> nanosSinceKill) {
      long[] ms = nanosSinceKill.stream().mapToLong(n -> TimeUnit.NANOSECONDS.toMillis(n)).sorted().toArray();
      if (ms.length == 0) {
        return new Times(0, -1, -1, -1, -1, -1);
      }
      return new Times(ms.length, ms[0], at(ms, 0.50), at(ms, 0.90), at(ms, 0.99), ms[ms.length - 1]);
    }

    private static long at(long[] sorted, double quantile) {
      return sorted[(int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)];
    }
  }

  /**
   * CPU used over a window, in cores: the whole machine ({@code /proc/stat}), this benchmark's processes (the client JVM
   * and the surviving nodes), PostgreSQL's processes (shared with other users of the server) and everything else.
   */
  record CpuShare(double seconds, double machineBusyCores, double benchmarkCores, double postgresCores,
      double otherCores, boolean surefireSeen) {}

  /** Tick counters at one instant: machine busy, our processes, PostgreSQL's. */
  record Ticks(long nanoTime, long machineBusy, long ours, long postgres) {
    static Ticks now(Set<Long> ours) {
      long mine = 0;
      long postgres = 0;
      for (ProcessHandle process : ProcessHandle.allProcesses().toList()) {
        long pid = process.pid();
        String stat;
        try {
          stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        } catch (IOException | RuntimeException gone) {
          continue;
        }
        int close = stat.lastIndexOf(')');
        String comm = stat.substring(stat.indexOf('(') + 1, close);
        String[] fields = stat.substring(close + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
        if (ours.contains(pid)) {
          mine += ticks;
        } else if (comm.startsWith("postgres")) {
          postgres += ticks;
        }
      }
      long busy = 0;
      try {
        String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < Math.min(cpu.length, 9); i++) {
          total += Long.parseLong(cpu[i]);
        }
        busy = total - Long.parseLong(cpu[4]) - Long.parseLong(cpu[5]);
      } catch (IOException | RuntimeException unreadable) {
        // zeros
      }
      return new Ticks(System.nanoTime(), busy, mine, postgres);
    }

    CpuShare since(Ticks earlier, boolean surefireSeen) {
      double seconds = (nanoTime - earlier.nanoTime) / 1e9;
      double machine = (machineBusy - earlier.machineBusy) / 100.0 / seconds;
      double benchmark = (ours - earlier.ours) / 100.0 / seconds;
      // PostgreSQL backends that exit take their ticks with them: their CPU then shows as "other".
      double pg = Math.max(0, (postgres - earlier.postgres) / 100.0 / seconds);
      return new CpuShare(seconds, machine, benchmark, pg, Math.max(0, machine - benchmark - pg), surefireSeen);
    }
  }

  /** Whether a Surefire JVM (another engineer's test suite) runs on the machine. */
  static boolean surefireRunning() {
    return ProcessHandle.allProcesses()
        .anyMatch(p -> p.info().commandLine().map(c -> c.contains("surefire")).orElse(false));
  }

  record Result(
      String label,
      String startedAt,
      String killedAtLocalTime,
      Machine machine,
      String victim,
      int sessions,
      int pending,
      int victimShards,
      String loadAverageBeforeKill,
      String loadAverageAfter,
      CpuShare cpuBeforeKill,
      CpuShare cpuMeasured,
      Times pendingBack,
      Times pendingClientsReplayed,
      Times allClientsReplayed,
      long allDoneMs,
      int pendingNotBack,
      int clientsNotReplayed,
      int wrongReplays,
      int extraSynced,
      int dropsBeforeKill,
      int reconnectsAfterKill,
      int pollRequests,
      int pollTimeouts,
      Map<String, Integer> pollFailures,
      List<String> problems,
      Map<String, Integer> hostsAfter,
      int pendingAfter) {}

  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    Instant startedAt = Instant.now();
    Result result = run(options, startedAt);
    System.out.println(markdown(result));
    String json = JSON.writeValueAsString(result);
    System.out.println("JSON " + json);
    Path out = Path.of("target", "failover-" + startedAt.toString().replace(':', '-') + ".json");
    Files.createDirectories(out.getParent());
    Files.writeString(out, json + "\n");
    progress("written " + out.toAbsolutePath());
    System.exit(result.pendingNotBack() == 0 && result.clientsNotReplayed() == 0 ? 0 : 1);
  }

  private static Result run(Options options, Instant startedAt) throws Exception {
    Node victim = new Node(options.victim());
    List<Node> survivors = new ArrayList<>();
    for (int n = 1; n <= 3; n++) {
      if (n != options.victim()) {
        survivors.add(new Node(n));
      }
    }
    long victimPid = Long.parseLong(Files.readString(options.state().resolve("node-" + victim.number() + ".pid")).trim());
    ProcessHandle victimProcess =
        ProcessHandle.of(victimPid).orElseThrow(() -> new IllegalStateException("node " + victim.number() + " (pid " + victimPid + ") is not running"));
    String command = victimProcess.info().commandLine().orElse("");
    if (!command.contains("interactions-server.jar")) {
      throw new IllegalStateException("pid " + victimPid + " is not a server JVM: " + command);
    }
    ExecutorService callbacks = Executors.newFixedThreadPool(4);
    ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).executor(callbacks).build();
    HttpClient polls = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).executor(callbacks).build();
    List<HttpClient> sockets = new ArrayList<>();
    for (int i = 0; i < survivors.size(); i++) {
      sockets.add(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).executor(callbacks).build());
    }

    // 1. Where every shard lives, then session ids in the victim's shards.
    progress("locating the 100 shards");
    Set<Integer> victimShards = new java.util.TreeSet<>();
    Map<String, Integer> shardsPerNode = new TreeMap<>();
    for (int shard = 0; shard < SHARDS; shard++) {
      String probe = idInShard("probe-" + shard + "-", shard);
      JsonNode state = getJson(http, survivors.get(0).http("/v1/sessions/" + probe), Duration.ofSeconds(30));
      String node = state.path("node").asText();
      shardsPerNode.merge(node, 1, Integer::sum);
      if (node.equals(victim.clusterAddress())) {
        victimShards.add(shard);
      }
    }
    progress("shards per node " + shardsPerNode + "; victim " + victim.clusterAddress() + " has " + victimShards.size());
    List<String> sessionIds = new ArrayList<>(options.sessions());
    for (int n = 0; sessionIds.size() < options.sessions(); n++) {
      String id = "fo-" + n;
      if (id.hashCode() != Integer.MIN_VALUE && victimShards.contains(Math.abs(id.hashCode()) % SHARDS)) {
        sessionIds.add(id);
      }
    }

    // 2. One client per session, on a surviving node.
    progress("connecting " + sessionIds.size() + " clients to " + survivors);
    List<Client> clients = new ArrayList<>(sessionIds.size());
    Semaphore connecting = new Semaphore(200);
    for (int i = 0; i < sessionIds.size(); i++) {
      Node node = survivors.get(i % survivors.size());
      Client client = new Client(sessionIds.get(i), node, sockets.get(i % survivors.size()), timers);
      clients.add(client);
      connecting.acquire();
      client.connect().whenComplete((ok, failure) -> connecting.release());
    }
    awaitAll("initial synced", clients, c -> c.initialSynced, Duration.ofMinutes(5));
    progress("all " + clients.size() + " clients welcomed and synced");

    // 3. One pending interaction in each of `pending` sessions, spread evenly.
    List<Client> holders = new ArrayList<>();
    int step = clients.size() / options.pending();
    for (int i = 0; i < options.pending(); i++) {
      holders.add(clients.get(i * step));
    }
    progress("creating " + holders.size() + " interactions (timeout 1 h)");
    Semaphore creating = new Semaphore(32);
    List<CompletableFuture<Void>> created = new ArrayList<>();
    for (int i = 0; i < holders.size(); i++) {
      Client holder = holders.get(i);
      Node node = survivors.get(i % survivors.size());
      creating.acquire();
      HttpRequest request =
          HttpRequest.newBuilder(node.http("/v1/sessions/" + holder.sessionId + "/interactions"))
              .timeout(Duration.ofSeconds(30))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(
                  "{\"kind\":\"approve\",\"payload\":{\"bench\":\"failover\",\"n\":" + i + "},\"timeoutMs\":3600000}"))
              .build();
      created.add(
          http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
              .thenAccept(
                  reply -> {
                    if (reply.statusCode() != 201) {
                      throw new IllegalStateException("create in " + holder.sessionId + ": " + reply.statusCode() + " " + reply.body());
                    }
                    JsonNode body = parse(reply.body());
                    holder.expect(body.path("id").asText(), body.path("expiresAt").asText());
                  })
              .whenComplete((ok, failure) -> creating.release()));
    }
    CompletableFuture.allOf(created.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
    awaitAll("interaction shown", holders, c -> c.shown, Duration.ofMinutes(2));
    progress("every holder was shown its interaction");

    // 4. Check the placement and the pending interactions from the surviving nodes' point of view.
    progress("checking that the victim hosts every session");
    List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
    Map<String, Integer> hostsBefore = checkSessions(http, clients, survivors, victim, problems, false);
    progress("hosts before the kill " + hostsBefore);
    if (!hostsBefore.equals(Map.of(victim.clusterAddress(), clients.size())) || !problems.isEmpty()) {
      throw new IllegalStateException("placement or pending wrong before the kill: " + hostsBefore + " " + problems.subList(0, Math.min(10, problems.size())));
    }
    Set<Long> ours = new java.util.HashSet<>();
    ours.add(ProcessHandle.current().pid());
    for (Node node : survivors) {
      ours.add(Long.parseLong(Files.readString(options.state().resolve("node-" + node.number() + ".pid")).trim()));
    }
    // Another engineer's test suite may run on this machine: no kill while a Surefire JVM runs (polled every 30 s),
    // nor unless the last 5 s before it were quiet (no Surefire JVM, other processes under 0.3 of a core).
    CpuShare cpuBeforeKill;
    while (true) {
      while (surefireRunning()) {
        progress("a Surefire JVM is running; waiting before the kill");
        Thread.sleep(30_000);
      }
      Ticks quietStart = Ticks.now(ours);
      Thread.sleep(5_000);
      cpuBeforeKill = Ticks.now(ours).since(quietStart, surefireRunning());
      if (!cpuBeforeKill.surefireSeen() && cpuBeforeKill.otherCores() < 0.3) {
        break;
      }
      progress("not quiet before the kill: " + cpuBeforeKill + "; waiting 30 s");
      Thread.sleep(30_000);
    }

    // 5. kill -9.
    String loadBefore = Machine.currentLoadAverage();
    Machine machine = Machine.describe();
    int dropsBeforeKill = clients.stream().mapToInt(c -> c.drops.get()).sum();
    String killedAtLocal = LocalTime.now().toString();
    killedAt = System.nanoTime();
    if (!victimProcess.destroyForcibly()) { // SIGKILL on Linux
      throw new IllegalStateException("could not send SIGKILL to " + victimPid);
    }
    progress("kill -9 of node " + victim.number() + " (pid " + victimPid + ", " + victim.clusterAddress() + ") at " + killedAtLocal + ", load average " + loadBefore);

    // 6. Poll every pending interaction until it is back; clients record their replay themselves.
    List<Poller> pollers = new ArrayList<>();
    for (int i = 0; i < holders.size(); i++) {
      Poller poller = new Poller(holders.get(i), survivors, polls, timers, i);
      pollers.add(poller);
      poller.poll();
    }
    Ticks measureStart = Ticks.now(ours);
    boolean surefireSeen = false;
    long deadline = killedAt + options.within().toNanos();
    long lastReport = 0;
    while (System.nanoTime() < deadline) {
      long back = pollers.stream().filter(p -> p.done.isDone()).count();
      long replayed = clients.stream().filter(c -> c.replayedAt > 0).count();
      if (back == pollers.size() && replayed == clients.size()) {
        break;
      }
      if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(2)) {
        lastReport = System.nanoTime();
        surefireSeen |= surefireRunning();
        progress(String.format(Locale.ROOT, "+%.1f s: %d/%d pending back, %d/%d clients replayed, %d reconnects",
            (System.nanoTime() - killedAt) / 1e9, back, pollers.size(), replayed, clients.size(),
            clients.stream().mapToInt(c -> c.reconnects.get()).sum()));
      }
      Thread.sleep(50);
    }
    long allDone = System.nanoTime() - killedAt;
    String loadAfter = Machine.currentLoadAverage();
    CpuShare cpuMeasured = Ticks.now(ours).since(measureStart, surefireSeen || surefireRunning());
    progress("CPU while measuring " + cpuMeasured + "; in the 5 s before the kill " + cpuBeforeKill);
    progress(String.format(Locale.ROOT, "measured for %.1f s", allDone / 1e9));
    Thread.sleep(2_000); // late or duplicate frames

    // 7. Figures.
    List<Long> backTimes = new ArrayList<>();
    Map<String, Integer> pollFailures = new TreeMap<>();
    int pollRequests = 0;
    int pollTimeouts = 0;
    for (Poller p : pollers) {
      if (p.done.isDone() && p.backAt > 0) {
        backTimes.add(p.backAt - killedAt);
      }
      if (p.done.isDone() && p.backAt == 0) {
        problems.add("interaction " + p.holder.expectedId + " of " + p.holder.sessionId + " came back wrong: " + p.wrong);
      }
      pollRequests += p.requests.get();
      pollTimeouts += p.timeouts.get();
      p.failures.forEach((k, v) -> pollFailures.merge(k, v.get(), Integer::sum));
    }
    List<Long> holderReplays = new ArrayList<>();
    List<Long> allReplays = new ArrayList<>();
    int wrongReplays = 0;
    int extraSynced = 0;
    Set<Client> holderSet = Set.copyOf(holders);
    for (Client c : clients) {
      if (c.replayedAt > 0) {
        allReplays.add(c.replayedAt - killedAt);
        boolean right = c.replayRight(holderSet.contains(c));
        if (!right) {
          wrongReplays++;
          if (wrongReplays <= 10) {
            problems.add("client of " + c.sessionId + " replayed " + c.replayed + ", expected " + c.expectedId);
          }
        } else if (holderSet.contains(c)) {
          holderReplays.add(c.replayedAt - killedAt);
        }
      }
      extraSynced += Math.max(0, c.syncedAfterKill.get() - 1);
    }
    int reconnects = clients.stream().mapToInt(c -> c.reconnects.get()).sum();

    // 8. Where the sessions are now, and their pending interactions (clients still connected).
    problems.add("-- check after the failover --");
    Map<String, Integer> hostsAfter = checkSessions(http, clients, survivors, victim, problems, true);
    int pendingAfter = 0;
    for (Client c : holders) {
      pendingAfter += c.pendingAfter;
    }
    if (problems.size() == 1) {
      problems.clear();
    }
    for (Client c : clients) {
      c.close();
    }
    return new Result(
        options.label(),
        startedAt.toString(),
        killedAtLocal,
        machine,
        victim.clusterAddress(),
        clients.size(),
        holders.size(),
        victimShards.size(),
        loadBefore,
        loadAfter,
        cpuBeforeKill,
        cpuMeasured,
        Times.of(backTimes),
        Times.of(holderReplays),
        Times.of(allReplays),
        TimeUnit.NANOSECONDS.toMillis(allDone),
        holders.size() - backTimes.size(),
        clients.size() - allReplays.size(),
        wrongReplays,
        extraSynced,
        dropsBeforeKill,
        reconnects,
        pollRequests,
        pollTimeouts,
        pollFailures,
        problems.size() > 40 ? new ArrayList<>(problems.subList(0, 40)) : new ArrayList<>(problems),
        hostsAfter,
        pendingAfter);
  }

  /**
   * GETs every session's state (64 at a time) from the surviving nodes: where it lives, its connections and its pending
   * interactions, which must be the holder's one. Returns the count of sessions per hosting node.
   */
  private static Map<String, Integer> checkSessions(
      HttpClient http, List<Client> clients, List<Node> survivors, Node victim, List<String> problems, boolean after)
      throws Exception {
    Map<String, Integer> hosts = new ConcurrentHashMap<>();
    Semaphore inFlight = new Semaphore(64);
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int i = 0; i < clients.size(); i++) {
      Client c = clients.get(i);
      Node node = survivors.get((i + 1) % survivors.size());
      inFlight.acquire();
      HttpRequest request = HttpRequest.newBuilder(node.http("/v1/sessions/" + c.sessionId)).timeout(Duration.ofSeconds(60)).build();
      all.add(
          http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
              .thenAccept(
                  reply -> {
                    if (reply.statusCode() != 200) {
                      problems.add(c.sessionId + ": GET " + reply.statusCode() + " " + reply.body());
                      return;
                    }
                    JsonNode state = parse(reply.body());
                    hosts.merge(state.path("node").asText(), 1, Integer::sum);
                    Map<String, String> pending = new LinkedHashMap<>();
                    state.path("pending").forEach(p -> pending.put(p.path("id").asText(), p.path("expiresAt").asText()));
                    Map<String, String> expected = c.expectedId == null ? Map.of() : Map.of(c.expectedId, c.expectedExpiresAt);
                    if (!pending.equals(expected)) {
                      problems.add(c.sessionId + ": pending " + pending + ", expected " + expected);
                    }
                    c.pendingAfter = pending.size();
                    if (state.path("connections").size() != 1) {
                      problems.add(c.sessionId + ": connections " + state.path("connections"));
                    }
                    if (after && state.path("node").asText().equals(victim.clusterAddress())) {
                      problems.add(c.sessionId + ": still reported on the dead node");
                    }
                  })
              .exceptionally(
                  failure -> {
                    problems.add(c.sessionId + ": GET failed " + failure);
                    return null;
                  })
              .whenComplete((ok, failure) -> inFlight.release()));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
    return new TreeMap<>(hosts);
  }

  /** A session id starting with {@code prefix} that the default extractor puts into {@code shard}. */
  private static String idInShard(String prefix, int shard) {
    for (int n = 0; ; n++) {
      String id = prefix + n;
      if (id.hashCode() != Integer.MIN_VALUE && Math.abs(id.hashCode()) % SHARDS == shard) {
        return id;
      }
    }
  }

  private static void awaitAll(String what, List<Client> clients, Function<Client, CompletableFuture<?>> stage, Duration within)
      throws Exception {
    CompletableFuture<?>[] stages = clients.stream().map(stage).toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(stages).get(within.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      long done = Arrays.stream(stages).filter(CompletableFuture::isDone).count();
      throw new IllegalStateException(what + ": only " + done + " of " + stages.length + " within " + within);
    }
  }

  private static JsonNode getJson(HttpClient http, URI uri, Duration timeout) throws IOException, InterruptedException {
    HttpResponse<String> reply = http.send(HttpRequest.newBuilder(uri).timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
    if (reply.statusCode() != 200) {
      throw new IOException("GET " + uri + ": " + reply.statusCode() + " " + reply.body());
    }
    return parse(reply.body());
  }

  private static JsonNode parse(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static void progress(String message) {
    System.err.printf(Locale.ROOT, "%tT.%<tL %s%n", System.currentTimeMillis(), message);
  }

  // --- a client ---------------------------------------------------------------------------------------------------

  /** One WebSocket client of one session; it reconnects (and counts it) whenever its socket ends. */
  static final class Client implements WebSocket.Listener {
    final String sessionId;
    final Node node;
    final HttpClient http;
    final ScheduledExecutorService timers;
    final CompletableFuture<Void> initialSynced = new CompletableFuture<>();
    final CompletableFuture<Void> shown = new CompletableFuture<>();
    final AtomicInteger drops = new AtomicInteger();
    final AtomicInteger reconnects = new AtomicInteger();
    final AtomicInteger syncedAfterKill = new AtomicInteger();
    /** Interaction frames received after the kill, up to the first synced after it (id → expiresAt). */
    final Map<String, String> replayed = new LinkedHashMap<>();
    final List<String> unexpected = new ArrayList<>();
    volatile String expectedId;
    volatile String expectedExpiresAt;
    volatile long replayedAt;
    volatile int pendingAfter;
    private final StringBuilder partial = new StringBuilder();
    private volatile WebSocket socket;
    private volatile boolean closing;
    private final java.util.concurrent.atomic.AtomicBoolean pinging = new java.util.concurrent.atomic.AtomicBoolean();
    private String shownBeforeExpected;

    Client(String sessionId, Node node, HttpClient http, ScheduledExecutorService timers) {
      this.sessionId = sessionId;
      this.node = node;
      this.http = http;
      this.timers = timers;
    }

    CompletableFuture<Void> connect() {
      return http.newWebSocketBuilder()
          .connectTimeout(Duration.ofSeconds(30))
          .buildAsync(node.ws("/v1/sessions/" + sessionId + "/ws"), this)
          .handle(
              (ws, failure) -> {
                if (failure != null) {
                  ended("connect: " + failure);
                } else {
                  socket = ws;
                }
                return null;
              });
    }

    synchronized void expect(String id, String expiresAt) {
      expectedId = id;
      expectedExpiresAt = expiresAt;
      if (id.equals(shownBeforeExpected)) {
        shown.complete(null);
      }
    }

    /** The replay matched what was pending: exactly the expected interaction, or nothing for a session without one. */
    synchronized boolean replayRight(boolean holder) {
      Map<String, String> expected = holder ? Map.of(expectedId, expectedExpiresAt) : Map.of();
      return replayed.equals(expected) && unexpected.isEmpty();
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      socket = webSocket;
      if (pinging.compareAndSet(false, true)) {
        long first = ThreadLocalRandom.current().nextLong(1_000, 10_000);
        timers.scheduleAtFixedRate(this::ping, first, 10_000, TimeUnit.MILLISECONDS);
      }
      webSocket.request(1);
    }

    private void ping() {
      WebSocket ws = socket;
      if (ws != null && !ws.isOutputClosed() && !closing) {
        try {
          ws.sendText(PING, true);
        } catch (IllegalStateException busy) {
          // a previous ping is still being sent: skip this one
        }
      }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        frame(parse(text));
      }
      webSocket.request(1);
      return null;
    }

    private synchronized void frame(JsonNode frame) {
      String type = frame.path("type").asText();
      long kill = killedAt;
      if (kill == 0) {
        switch (type) {
          case "synced" -> initialSynced.complete(null);
          case "interaction" -> {
            String id = frame.path("id").asText();
            if (id.equals(expectedId)) {
              shown.complete(null);
            } else {
              shownBeforeExpected = id; // the frame may beat the create's HTTP reply
            }
          }
          default -> {}
        }
        return;
      }
      switch (type) {
        case "interaction" -> {
          if (replayedAt == 0) {
            replayed.put(frame.path("id").asText(), frame.path("expiresAt").asText());
          }
        }
        case "synced" -> {
          syncedAfterKill.incrementAndGet();
          if (replayedAt == 0) {
            replayedAt = System.nanoTime();
            if (frame.path("pending").asInt() != replayed.size()) {
              unexpected.add(frame.toString());
            }
          }
        }
        case "welcome", "pong" -> {}
        default -> {
          if (replayedAt == 0) {
            unexpected.add(frame.toString());
          }
        }
      }
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      ended("closed " + statusCode + " " + reason);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      ended("error " + error);
    }

    private void ended(String why) {
      if (closing) {
        return;
      }
      socket = null;
      if (killedAt == 0) {
        drops.incrementAndGet();
        progress("client of " + sessionId + " on node " + node.number() + " dropped before the kill: " + why);
      } else {
        reconnects.incrementAndGet();
      }
      timers.schedule(this::connect, 200, TimeUnit.MILLISECONDS);
    }

    void close() {
      closing = true;
      WebSocket ws = socket;
      if (ws != null) {
        ws.abort();
      }
    }
  }

  // --- polling one pending interaction --------------------------------------------------------------------------

  /** Polls one interaction on the surviving nodes until it is back pending with its id and deadline. */
  static final class Poller {
    final Client holder;
    final List<Node> survivors;
    final HttpClient http;
    final ScheduledExecutorService timers;
    final CompletableFuture<Void> done = new CompletableFuture<>();
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger timeouts = new AtomicInteger();
    final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    final AtomicLong turn;
    volatile long backAt;
    volatile String wrong;

    Poller(Client holder, List<Node> survivors, HttpClient http, ScheduledExecutorService timers, int index) {
      this.holder = holder;
      this.survivors = survivors;
      this.http = http;
      this.timers = timers;
      this.turn = new AtomicLong(index);
    }

    void poll() {
      Node node = survivors.get((int) (turn.getAndIncrement() % survivors.size()));
      requests.incrementAndGet();
      HttpRequest request =
          HttpRequest.newBuilder(node.http("/v1/sessions/" + holder.sessionId + "/interactions/" + holder.expectedId))
              .timeout(POLL_TIMEOUT)
              .build();
      http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
          .whenComplete(
              (reply, failure) -> {
                long now = System.nanoTime();
                if (failure == null && reply.statusCode() == 200) {
                  JsonNode body = parse(reply.body());
                  if (body.path("status").asText().equals("pending")
                      && body.path("id").asText().equals(holder.expectedId)
                      && body.path("expiresAt").asText().equals(holder.expectedExpiresAt)) {
                    backAt = now;
                  } else {
                    wrong = reply.body();
                  }
                  done.complete(null);
                  return;
                }
                long delay = 200;
                if (failure != null) {
                  Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                  if (cause instanceof HttpTimeoutException) {
                    timeouts.incrementAndGet();
                    delay = 0;
                  } else {
                    failures.computeIfAbsent(cause.getClass().getSimpleName(), k -> new AtomicInteger()).incrementAndGet();
                  }
                } else {
                  failures.computeIfAbsent("HTTP " + reply.statusCode(), k -> new AtomicInteger()).incrementAndGet();
                }
                if (System.nanoTime() - killedAt < TimeUnit.MINUTES.toNanos(10)) {
                  timers.schedule(this::poll, delay, TimeUnit.MILLISECONDS);
                }
              });
    }
  }

  // --- report -----------------------------------------------------------------------------------------------------

  static String markdown(Result r) {
    StringBuilder out = new StringBuilder();
    line(out, "## Failover benchmark (%s), started %s", r.label().isEmpty() ? "no label" : r.label(), r.startedAt());
    line(out, "");
    line(out, "- Machine: %s, %d CPUs, %.1f GiB RAM; client JVM %s",
        r.machine().cpuModel(), r.machine().availableProcessors(), r.machine().memTotalKiB() / 1024.0 / 1024.0,
        r.machine().javaVersion());
    line(out, "- kill -9 of %s at %s (local time), hosting %,d sessions with a client each (on the surviving nodes),"
        + " %,d of them with one pending interaction; the victim held %d of the 100 shards",
        r.victim(), r.killedAtLocalTime(), r.sessions(), r.pending(), r.victimShards());
    line(out, "- Load average right before the kill %s, at the end of the measurement %s",
        r.loadAverageBeforeKill(), r.loadAverageAfter());
    line(out, "- CPU (cores) in the 5 s before the kill: %s; while measuring: %s", cores(r.cpuBeforeKill()),
        cores(r.cpuMeasured()));
    line(out, "");
    line(out, "| from the kill to … | count | first | p50 | p90 | p99 | last |");
    line(out, "|---|--:|--:|--:|--:|--:|--:|");
    times(out, "(a) pending interaction back (GET: pending, same id and deadline)", r.pendingBack());
    times(out, "(b) client of a pending interaction replayed it (then `synced`)", r.pendingClientsReplayed());
    times(out, "every client replayed (`synced` after the kill)", r.allClientsReplayed());
    line(out, "");
    line(out, "- Not back: %d of %d pending; clients not replayed: %d of %d; wrong replays %d; extra `synced` %d",
        r.pendingNotBack(), r.pending(), r.clientsNotReplayed(), r.sessions(), r.wrongReplays(), r.extraSynced());
    line(out, "- (c) Reconnects after the kill: %d (sockets dropped before the kill: %d)", r.reconnectsAfterKill(),
        r.dropsBeforeKill());
    line(out, "- Polls: %,d requests, %,d client timeouts (3 s), other failures %s", r.pollRequests(), r.pollTimeouts(),
        r.pollFailures());
    line(out, "- Hosts after: %s; pending after %d", r.hostsAfter(), r.pendingAfter());
    line(out, "- Measured until %,d ms after the kill; problems: %s", r.allDoneMs(), r.problems().isEmpty() ? "none" : r.problems());
    return out.toString();
  }

  private static String cores(CpuShare c) {
    return String.format(Locale.ROOT, "machine %.2f = benchmark (client + survivors) %.2f + PostgreSQL %.2f + other %.2f"
        + " over %.1f s%s", c.machineBusyCores(), c.benchmarkCores(), c.postgresCores(), c.otherCores(), c.seconds(),
        c.surefireSeen() ? ", a Surefire JVM ran" : "");
  }

  private static void times(StringBuilder out, String what, Times t) {
    line(out, "| %s | %,d | %,d ms | %,d ms | %,d ms | %,d ms | %,d ms |", what, t.count(), t.firstMs(), t.p50Ms(), t.p90Ms(),
        t.p99Ms(), t.lastMs());
  }
}
