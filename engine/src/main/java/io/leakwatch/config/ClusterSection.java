package io.leakwatch.config;

import io.leakwatch.binding.ConfigSource;
import io.leakwatch.binding.Range;
import io.leakwatch.cluster.ClusterSettings;
import io.leakwatch.store.StoreSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code cluster:} mapping, as written:
 *
 * <pre>
 * cluster:
 *   node: lw-1                 # this node's name, unique in the cluster (default host:port)
 *   host: 10.0.0.11            # the address this node binds and the others reach it on
 *   port: 5701                 # default 5701
 *   members: [10.0.0.11:5701, 10.0.0.12:5701, 10.0.0.13:5701]
 *   expectedNodes: 3           # default: the number of members; a majority of it is the quorum
 *   leaseSeconds: 15           # an org's lease; a dead node's orgs move within about this long
 *   name: leakwatch            # the Hazelcast cluster name
 * </pre>
 */
record ClusterSection(
    String node,
    String host,
    @Range(min = 1, max = 65_535) Integer port,
    List<String> members,
    @Range(min = 1, max = 99) Integer expectedNodes,
    @Range(min = 3, max = 300) Integer leaseSeconds,
    String name) {
  private static final Pattern MEMBER = Pattern.compile("[A-Za-z0-9.\\-\\[\\]:]+:[0-9]{1,5}");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}");

  ClusterSettings resolve(ConfigSource file, StoreSettings store) {
    if (store.kind() != StoreSettings.Kind.POSTGRES) {
      throw file.problem(
          "cluster",
          "needs store: {kind: postgres, ...}: the nodes share each org's lease, checkpoint,"
              + " learned state and alert ledger through it (the embedded store is one node's)");
    }
    String bindHost = file.required(host, "cluster.host");
    int bindPort = port == null ? ClusterSettings.DEFAULT_PORT : port;
    if (members == null || members.isEmpty()) {
      throw file.problem(
          "cluster.members",
          "is required: every node's host:port, e.g. [10.0.0.11:5701, 10.0.0.12:5701, 10.0.0.13:5701]");
    }
    List<String> list = new ArrayList<>();
    for (int i = 0; i < members.size(); i++) {
      String member = file.required(members.get(i), "cluster.members[" + i + "]").strip();
      if (!MEMBER.matcher(member).matches()) {
        throw file.problem(
            "cluster.members[" + i + "]",
            "must be host:port, e.g. 10.0.0.11:5701, was '" + member + "'");
      }
      list.add(member);
    }
    String nodeName =
        node == null ? bindHost + ":" + bindPort : file.required(node, "cluster.node");
    if (!NAME.matcher(nodeName).matches()) {
      throw file.problem(
          "cluster.node",
          "must be 1 to 100 letters, digits, '-', '_', '.' or ':', was '" + nodeName + "'");
    }
    int expected = expectedNodes == null ? list.size() : expectedNodes;
    String clusterName = name == null ? "leakwatch" : file.required(name, "cluster.name");
    long ttl =
        leaseSeconds == null ? ClusterSettings.DEFAULT_LEASE_TTL_MILLIS : leaseSeconds * 1000L;
    return new ClusterSettings(nodeName, bindHost, bindPort, list, expected, ttl, clusterName);
  }
}
