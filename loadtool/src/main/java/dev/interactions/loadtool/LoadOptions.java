package dev.interactions.loadtool;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What to run: the validated options of {@link LoadTool}'s command line.
 *
 * @param urls the servers, e.g. {@code http://127.0.0.1:8080}: one, or the nodes of a cluster; clients and requesters are
 *     spread over them ({@link #clientUrl}, {@link #requesterUrl})
 * @param metricsUrls their Prometheus scrapes, in the same order; {@code <url>/metrics} of each unless given
 * @param clients WebSocket clients kept connected (each dropped or disconnected one is replaced by a new one)
 * @param sessions sessions the clients are spread over (client {@code i} joins session {@code i % sessions})
 * @param requesters concurrent requesters, each one interaction at a time (a closed loop)
 * @param duration how long new interactions are requested
 * @param mix what happens to the interactions
 * @param interactionTimeout the {@code timeoutMs} of interactions meant to expire (timeout, drop, disconnect)
 * @param settle how long to wait after the load for the server to return to its baseline
 * @param metricsWait how long to wait before the load for the servers' first metrics snapshot
 * @param report where to write the report as JSON too, if anywhere
 * @param requesterToken bearer token of the requesters (a JWT with the requester scope), when auth is on
 * @param clientToken bearer token of the WebSocket clients, when auth is on
 * @param progressEvery how often to print a progress line
 */
public record LoadOptions(
    List<URI> urls,
    List<URI> metricsUrls,
    int clients,
    int sessions,
    int requesters,
    Duration duration,
    Mix mix,
    Duration interactionTimeout,
    Duration settle,
    Duration metricsWait,
    Optional<Path> report,
    Optional<String> requesterToken,
    Optional<String> clientToken,
    Duration progressEvery) {

  /**
   * The server client slot {@code slot} connects to: round-robin over the servers, shifted by one for every round of
   * the sessions, so that the clients of one session are spread over the servers too (with plain {@code slot % servers}
   * and as many sessions as a multiple of the servers, all clients of a session would share one server, and an
   * interaction would never be fanned out to clients on several nodes).
   */
  public URI clientUrl(int slot) {
    return urls.get((slot % sessions + slot / sessions) % urls.size());
  }

  /** The server requester {@code number} sends its requests to: round-robin over the servers. */
  public URI requesterUrl(int number) {
    return urls.get(number % urls.size());
  }

  /** The session id of client slot {@code slot}, unique to this run so that runs never share sessions. */
  public String sessionOf(String runId, int slot) {
    return sessionId(runId, slot % sessions);
  }

  /** Session {@code index} of this run. */
  public static String sessionId(String runId, int index) {
    return "load-" + runId + "-" + index;
  }
}
