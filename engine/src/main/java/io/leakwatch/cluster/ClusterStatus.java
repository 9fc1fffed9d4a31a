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
 */
public record ClusterStatus(
    String node,
    List<String> members,
    int expectedNodes,
    boolean quorum,
    List<String> configured,
    Set<String> owned,
    Map<String, String> stranded) {
  public ClusterStatus {
    members = List.copyOf(members);
    configured = List.copyOf(configured);
    owned = Set.copyOf(owned);
    stranded = Map.copyOf(stranded);
  }
}
