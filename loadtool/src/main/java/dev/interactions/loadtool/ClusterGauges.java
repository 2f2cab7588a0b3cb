package dev.interactions.loadtool;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What every server of the run reported about itself at one moment, node by node in the order of {@code --url}.
 *
 * <p>In a cluster a session lives on one node while its clients and requesters reach it through any node, so a single
 * node's figures say little: the total is what the run changed, and each node's own figures show where it went.
 */
public record ClusterGauges(List<NodeGauges> nodes) {

  /** One server's gauges, with the address the tool reached it at. */
  public record NodeGauges(URI server, ServerGauges gauges) {}

  public ClusterGauges {
    nodes = List.copyOf(nodes);
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("no server");
    }
  }

  /** The sums over the nodes; heap, threads and file descriptors only when every node exports them. */
  public ServerGauges total() {
    return new ServerGauges(
        nodes.stream().mapToLong(node -> node.gauges().sessionsAlive()).sum(),
        nodes.stream().mapToLong(node -> node.gauges().connectionsAlive()).sum(),
        nodes.stream().mapToLong(node -> node.gauges().pendingInteractions()).sum(),
        sum(ServerGauges::heapAfterGcBytes),
        sum(ServerGauges::threads),
        sum(ServerGauges::openFileDescriptors));
  }

  /**
   * The checked gauges of each node that are above that node's value in {@code baseline} (the same servers, in the same
   * order), described for a person; empty when every node is back to its baseline. Nodes are compared one by one, not
   * in total, so that a leak on one node is not hidden by another node ending below its baseline. With several nodes
   * each line starts with the node's address.
   */
  public List<String> aboveBaseline(ClusterGauges baseline) {
    if (baseline.nodes.size() != nodes.size()) {
      throw new IllegalArgumentException("baseline of " + baseline.nodes.size() + " servers, now " + nodes.size());
    }
    List<String> above = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      NodeGauges node = nodes.get(i);
      String prefix = nodes.size() == 1 ? "" : node.server() + ": ";
      node.gauges().aboveBaseline(baseline.nodes.get(i).gauges()).forEach(line -> above.add(prefix + line));
    }
    return above;
  }

  /** One line for the progress display: the server's own summary, or the total and each node's leak gauges. */
  public String summary() {
    if (nodes.size() == 1) {
      return nodes.get(0).gauges().summary();
    }
    return "total "
        + total().summary()
        + " | sessions/connections/pending by node: "
        + nodes.stream()
            .map(
                node ->
                    node.server().getRawAuthority()
                        + " "
                        + node.gauges().sessionsAlive()
                        + "/"
                        + node.gauges().connectionsAlive()
                        + "/"
                        + node.gauges().pendingInteractions())
            .collect(Collectors.joining(", "));
  }

  private OptionalLong sum(Function<ServerGauges, OptionalLong> figure) {
    long sum = 0;
    for (NodeGauges node : nodes) {
      OptionalLong value = figure.apply(node.gauges());
      if (value.isEmpty()) {
        return OptionalLong.empty();
      }
      sum += value.getAsLong();
    }
    return OptionalLong.of(sum);
  }
}
