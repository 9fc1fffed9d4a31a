package io.leakwatch.cluster;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@code /ready} and {@code /metrics} say of the cluster on one node.
 *
 * @param node this node's name
 * @param members the node names this node sees, itself included
 * @param expectedNodes the cluster's configured size
 * @param quorum whether this node sees a majority of {@code expectedNodes}; without it, it owns
 *     nothing
 * @param configured every org of the configuration
 * @param owned the orgs whose lease this node holds and whose engine runs here
 * @param stranded orgs this node should run (their owner, with quorum) that have not run here for
 *     longer than a takeover takes, each with why: nobody watches them
 * @param spooledTakenOver per org, the alerts this node took over since it started: spooled on a
 *     node that was lost before it sent them (orgs with none may be absent)
 */
public record ClusterStatus(
    String node,
    List<String> members,
    int expectedNodes,
    boolean quorum,
    List<String> configured,
    Set<String> owned,
    Map<String, String> stranded,
    Map<String, Long> spooledTakenOver) {
  public ClusterStatus {
    members = List.copyOf(members);
    configured = List.copyOf(configured);
    owned = Set.copyOf(owned);
    stranded = Map.copyOf(stranded);
    spooledTakenOver = Map.copyOf(spooledTakenOver);
  }

  /** Without alerts taken over (the assignment does not know them; the node adds them). */
  public ClusterStatus(
      String node,
      List<String> members,
      int expectedNodes,
      boolean quorum,
      List<String> configured,
      Set<String> owned,
      Map<String, String> stranded) {
    this(node, members, expectedNodes, quorum, configured, owned, stranded, Map.of());
  }

  public ClusterStatus withSpooledTakenOver(Map<String, Long> takenOver) {
    return new ClusterStatus(
        node, members, expectedNodes, quorum, configured, owned, stranded, takenOver);
  }

  /** Alerts taken over, every org together. */
  public long spooledTakenOverTotal() {
    return spooledTakenOver.values().stream().mapToLong(Long::longValue).sum();
  }
}
