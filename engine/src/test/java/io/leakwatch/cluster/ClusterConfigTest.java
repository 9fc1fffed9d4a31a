package io.leakwatch.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.binding.ConfigException;
import io.leakwatch.config.EngineConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code cluster:} section: what it sets, what it defaults, and each mistake named. */
class ClusterConfigTest {
  private static final String ORGS =
      "orgs:\n  - {name: a, endpoint: {host: h, port: 7443}, auth: {accessToken: t, instanceUrl: u,"
          + " tenantId: x}, topics: [/event/ApiEventStream], profile: profile.yaml}\n";
  private static final String POSTGRES =
      "store: {kind: postgres, url: 'jdbc:postgresql://db/lw', user: lw, password: '${PG}'}\n";

  @TempDir Path dir;

  @BeforeEach
  void profile() throws Exception {
    Files.writeString(dir.resolve("profile.yaml"), "timeZone: UTC\n");
  }

  private EngineConfig parse(String yaml) {
    return EngineConfig.parse(yaml, "c.yaml", dir, Map.of("PG", "secret"));
  }

  private String problem(String yaml) {
    return assertThrows(ConfigException.class, () -> parse(yaml)).getMessage();
  }

  @Test
  void aClusterSectionNamesTheNodeItsAddressTheMembersAndTheQuorum() {
    EngineConfig config =
        parse(
            ORGS
                + POSTGRES
                + "cluster: {node: lw-2, host: 10.0.0.12, members: [10.0.0.11:5701,"
                + " 10.0.0.12:5701, 10.0.0.13:5701]}\n");
    ClusterSettings cluster = config.cluster();
    assertEquals("lw-2", cluster.nodeName());
    assertEquals("10.0.0.12", cluster.host());
    assertEquals(5701, cluster.port());
    assertEquals(List.of("10.0.0.11:5701", "10.0.0.12:5701", "10.0.0.13:5701"), cluster.members());
    assertEquals(3, cluster.expectedNodes(), "by default, as many nodes as members");
    assertEquals(2, cluster.quorum());
    assertEquals(15_000, cluster.leaseTtlMillis());
    assertEquals("leakwatch", cluster.clusterName());
    assertTrue(
        config.summary().stream().anyMatch(l -> l.startsWith("cluster: node lw-2 on 10.0.0.12")),
        config.summary().toString());
    assertTrue(config.summary().stream().noneMatch(l -> l.contains("secret")));

    ClusterSettings five =
        parse(
                ORGS
                    + POSTGRES
                    + "cluster: {host: 127.0.0.1, port: 5801, members: ['127.0.0.1:5801'],"
                    + " expectedNodes: 5, leaseSeconds: 30, name: staging}\n")
            .cluster();
    assertEquals("127.0.0.1:5801", five.nodeName(), "by default the node is named host:port");
    assertEquals(3, five.quorum());
    assertEquals(30_000, five.leaseTtlMillis());
    assertEquals("staging", five.clusterName());
    assertNull(parse(ORGS).cluster(), "no cluster: one node watches every org");
  }

  @Test
  void aClusterNeedsThePostgresStoreAndEveryMistakeIsNamedByKey() {
    String cluster = "cluster: {host: 127.0.0.1, members: ['127.0.0.1:5701']}\n";
    assertTrue(
        problem(ORGS + cluster)
            .startsWith("c.yaml: cluster: needs store: {kind: postgres, ...}: the nodes share"));
    assertEquals(
        "c.yaml: cluster.host: is required",
        problem(ORGS + POSTGRES + "cluster: {members: ['127.0.0.1:5701']}\n"));
    assertTrue(
        problem(ORGS + POSTGRES + "cluster: {host: h}\n")
            .startsWith("c.yaml: cluster.members: is required"));
    assertEquals(
        "c.yaml: cluster.members[1]: must be host:port, e.g. 10.0.0.11:5701, was 'h2'",
        problem(ORGS + POSTGRES + "cluster: {host: h, members: ['h:5701', h2]}\n"));
    assertEquals(
        "c.yaml: cluster.leaseSeconds: must be a whole number from 3 to 300",
        problem(ORGS + POSTGRES + "cluster: {host: h, members: ['h:5701'], leaseSeconds: 1}\n"));
    assertEquals(
        "c.yaml: cluster.expectedNodes: must be a whole number from 1 to 99",
        problem(ORGS + POSTGRES + "cluster: {host: h, members: ['h:5701'], expectedNodes: 0}\n"));
    assertTrue(
        problem(ORGS + POSTGRES + "cluster: {host: h, members: ['h:5701'], node: 'a b'}\n")
            .startsWith("c.yaml: cluster.node: must be"));
    assertTrue(
        problem(ORGS + POSTGRES + "cluster: {host: h, members: ['h:5701'], nodes: 3}\n")
            .startsWith("c.yaml: cluster.nodes: unknown key"));
  }
}
