package dev.interactions.loadtool;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** The gauges of every server the run drives: each server's own {@link GaugeSource}, read one after the other. */
public final class ClusterGaugeSource {

  private final List<URI> servers;
  private final List<GaugeSource> sources;

  /**
   * @param servers the servers, as the run addresses them
   * @param sources where each server's gauges come from, in the same order
   */
  public ClusterGaugeSource(List<URI> servers, List<GaugeSource> sources) {
    if (servers.isEmpty() || servers.size() != sources.size()) {
      throw new IllegalArgumentException(servers.size() + " servers, " + sources.size() + " gauge sources");
    }
    this.servers = List.copyOf(servers);
    this.sources = List.copyOf(sources);
  }

  /** A single server. */
  public static ClusterGaugeSource of(URI server, GaugeSource source) {
    return new ClusterGaugeSource(List.of(server), List.of(source));
  }

  /**
   * Every server's gauges now.
   *
   * @throws GaugesUnavailableException when any server's cannot be read (naming it when there are several): without
   *     every node the run cannot tell whether the cluster returned to its baseline
   */
  public ClusterGauges read() throws GaugesUnavailableException {
    List<ClusterGauges.NodeGauges> nodes = new ArrayList<>();
    for (int i = 0; i < servers.size(); i++) {
      try {
        nodes.add(new ClusterGauges.NodeGauges(servers.get(i), sources.get(i).read()));
      } catch (GaugesUnavailableException e) {
        if (servers.size() == 1) {
          throw e;
        }
        throw new GaugesUnavailableException(servers.get(i) + ": " + e.getMessage(), e);
      }
    }
    return new ClusterGauges(nodes);
  }
}
