package io.leakwatch.cluster;

import java.util.List;

/**
 * How this node joins the others: the Hazelcast member it runs (bound to {@code host:port}), the
 * TCP/IP list of every member, how many nodes the cluster is meant to have (a node that sees fewer
 * than a majority of them processes nothing) and how long an org's lease lasts unrenewed.
 *
 * @param nodeName this node's stable name: orgs are assigned by name, so a node that restarts under
 *     the same name gets the same orgs back
 * @param members every member's {@code host:port}, this node's included
 * @param expectedNodes the cluster's intended size; a majority of it is the quorum
 * @param leaseTtlMillis how long an org's lease lasts without renewal: after a node dies, its orgs
 *     move within this time (plus failure detection and the engine's start)
 * @param clusterName the Hazelcast cluster name: nodes of different clusters never join
 */
public record ClusterSettings(
    String nodeName,
    String host,
    int port,
    List<String> members,
    int expectedNodes,
    long leaseTtlMillis,
    String clusterName) {
  public static final int DEFAULT_PORT = 5701;
  public static final long DEFAULT_LEASE_TTL_MILLIS = 15_000;

  public ClusterSettings {
    members = List.copyOf(members);
  }

  /** The fewest nodes a node must see (itself included) to process anything. */
  public int quorum() {
    return expectedNodes / 2 + 1;
  }

  /** For {@code config check} and the start log. */
  public String describe() {
    return "node "
        + nodeName
        + " on "
        + host
        + ":"
        + port
        + ", members "
        + String.join(", ", members)
        + ", quorum "
        + quorum()
        + " of "
        + expectedNodes
        + ", lease "
        + leaseTtlMillis / 1000
        + " s";
  }
}
