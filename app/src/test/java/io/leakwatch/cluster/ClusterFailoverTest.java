package io.leakwatch.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leakwatch.decision.Alert;
import io.leakwatch.engine.PackCache;
import io.leakwatch.harness.AlertsFile;
import io.leakwatch.harness.ProcessedJournalFile;
import io.leakwatch.harness.RunProcess;
import io.leakwatch.harness.StoreDatabase;
import io.leakwatch.rulepack.RulePackLoader;
import io.leakwatch.sim.Playback;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.scenario.InjectedScenario;
import io.leakwatch.sim.scenario.ScenarioOutcome;
import io.leakwatch.sim.scenario.Scenarios;
import io.leakwatch.sim.server.PubSubServer;
import io.leakwatch.sim.traffic.EventSchemas;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@code run} nodes, each a separate JVM, on one Vert.x cluster (Hazelcast on loopback) and
 * one real PostgreSQL server, watching six simulated orgs while a drill plays a day with leaks in
 * each. One node is SIGKILLed (its orgs resume on the others), comes back (they move back to it),
 * then another node is SIGKILLed. At the end: every published event processed, no alert delivered
 * twice across the cluster, every scenario detected, each org taken over within 30 s, and every
 * node's {@code /ready} and {@code /metrics} say which orgs it owns. Each node has its own state
 * folder: an org's checkpoint, ledger and learned state move between nodes through the store.
 */
@Tag("faults")
@Tag("alone") // three engine JVMs and an asserted takeover time: no other test class beside it
class ClusterFailoverTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final LocalDate DAY = LocalDate.of(2026, 3, 10);
  private static final String API_TOKEN = "cluster-test-token-0123456789";
  private static final String PG_PASSWORD = "cluster-s3cret";
  private static final int ORGS = 6;
  private static final long PLAY_MILLIS = 90_000;
  private static final Duration TAKEOVER_LIMIT = Duration.ofSeconds(30);

  @TempDir Path root;
  private final HttpClient http = HttpClient.newHttpClient();
  private final Map<String, Node> nodes = new TreeMap<>();
  private final List<String> figures = new ArrayList<>();

  /** One simulated org: its server, its day with the drill's scenarios, its state. */
  private record Org(
      String name, SimulatedOrg sim, PubSubServer server, Scenarios.Timeline timeline) {}

  /** One node: its folder, ports and, while it runs, its process. */
  private static final class Node {
    final String name;
    final Path dir;
    final int hazelcastPort;
    final int apiPort;
    RunProcess process;
    int runs;

    Node(String name, Path dir, int hazelcastPort, int apiPort) {
      this.name = name;
      this.dir = dir;
      this.hazelcastPort = hazelcastPort;
      this.apiPort = apiPort;
    }
  }

  @Test
  void threeNodesSixOrgsTwoKillsNoEventLostNoAlertTwiceEveryScenarioDetected() throws Exception {
    long t0 = System.nanoTime();
    try (StoreDatabase store = StoreDatabase.start(PG_PASSWORD)) {
      List<Org> orgs = new ArrayList<>();
      try {
        for (int i = 1; i <= ORGS; i++) {
          orgs.add(org(i));
        }
        configureNodes(orgs, store.url());
        // The default pack compiled once, here, into the nodes' cache: three JVMs compiling it at
        // once on a small machine would take minutes, and every start after a move loads it.
        long compiling = System.nanoTime();
        new PackCache(root.resolve("pack-cache")).compile(RulePackLoader.defaultPack());
        figures.add("pack compiled into the nodes' cache in " + seconds(compiling) + " s");
        for (Node node : nodes.values()) {
          start(node);
        }
        List<String> all = nodeNames();
        awaitOwnership(all, orgs, Duration.ofSeconds(120), "the first assignment");
        figures.add("all 6 orgs assigned " + seconds(t0) + " s after the first start");

        // The drill: every org's day, with its leaks, played at once.
        List<Thread> players = new ArrayList<>();
        for (Org org : orgs) {
          Thread player =
              new Thread(
                  new Playback(org.server(), org.timeline().events(), PLAY_MILLIS),
                  "playback-" + org.name());
          player.start();
          players.add(player);
        }
        long published = orgs.stream().mapToLong(o -> o.timeline().events().size()).sum();
        await(
            "a fifth of the events processed",
            () -> processedCount(orgs) > published / 5,
            Duration.ofSeconds(120));

        // First kill: lw-3 (or whichever node owns the most orgs), SIGKILL.
        Node first = busiest(all, orgs);
        kill(first, orgs, all);

        // It comes back under the same name: its orgs move back, each stopped first.
        long back = System.nanoTime();
        start(first);
        awaitOwnership(all, orgs, Duration.ofSeconds(90), first.name + " rejoining");
        figures.add(first.name + " back: its orgs rebalanced in " + seconds(back) + " s");

        await(
            "half of the events processed",
            () -> processedCount(orgs) > published / 2,
            Duration.ofSeconds(120));
        List<String> others = new ArrayList<>(all);
        others.remove(first.name);
        Node second = busiest(others, orgs);
        kill(second, orgs, all);

        for (Thread player : players) {
          player.join();
        }
        List<String> alive = new ArrayList<>(all);
        alive.remove(second.name);
        Set<String> publishedIds = new HashSet<>();
        orgs.forEach(
            o -> o.timeline().events().forEach(e -> publishedIds.add(e.eventIdentifier())));
        List<InjectedScenario> injected = new ArrayList<>();
        orgs.forEach(o -> injected.addAll(o.timeline().injected()));
        await(
            "every event processed and every scenario detected",
            () -> processedIds(orgs).containsAll(publishedIds) && outcome(injected).allDetected(),
            Duration.ofSeconds(150));

        // What each live node says it owns.
        Map<String, Set<String>> owned = new TreeMap<>();
        for (String name : alive) {
          Node node = nodes.get(name);
          JsonNode ready = JSON.readTree(get(node, "/ready").body());
          Set<String> mine = new TreeSet<>();
          ready.at("/cluster/owned").forEach(o -> mine.add(o.asText()));
          owned.put(name, mine);
          assertTrue(ready.at("/cluster/quorum").asBoolean(), ready.toString());
          String metrics = get(node, "/metrics").body();
          for (Org org : orgs) {
            String line =
                "leakwatch_org_owned{org=\""
                    + org.name()
                    + "\"} "
                    + (mine.contains(org.name()) ? "1.0" : "0.0");
            assertTrue(metrics.contains(line), name + " /metrics lacks " + line);
          }
          assertTrue(metrics.contains("leakwatch_cluster_members 2.0"), metrics);
        }
        Map<String, String> expected = expectedOwners(alive, orgs);
        for (Org org : orgs) {
          assertTrue(
              owned.get(expected.get(org.name())).contains(org.name()),
              org.name() + " should run on " + expected.get(org.name()) + ": " + owned);
        }

        for (String name : alive) {
          Node node = nodes.get(name);
          node.process.stop(60); // SIGTERM: graceful, releases its leases
        }

        // Alerts of every node, killed ones included: none delivered twice across the cluster.
        List<Alert> alerts = alerts();
        Map<String, Integer> deliveries = new HashMap<>();
        alerts.forEach(a -> deliveries.merge(a.deliveryKey(), 1, Integer::sum));
        List<String> twice =
            deliveries.entrySet().stream()
                .filter(e -> e.getValue() > 1)
                .map(Map.Entry::getKey)
                .toList();
        Set<String> missing = new HashSet<>(publishedIds);
        missing.removeAll(processedIds(orgs));
        ScenarioOutcome outcome = outcome(injected);
        long detected = outcome.results().stream().filter(ScenarioOutcome.Result::detected).count();
        System.out.printf(
            "cluster failover: 3 nodes, %d orgs, %d events published, %d processed (%d lost),"
                + " %d alerts delivered (%d twice), %d/%d scenarios detected, %d false positives;"
                + " %s; total %d s%n",
            ORGS,
            publishedIds.size(),
            processedCount(orgs),
            missing.size(),
            alerts.size(),
            twice.size(),
            detected,
            outcome.results().size(),
            outcome.unexplained().size(),
            String.join("; ", figures),
            seconds(t0));
        assertEquals(Set.of(), missing, "events never processed");
        assertEquals(List.of(), twice, "alerts delivered twice");
        assertTrue(outcome.allDetected(), "scenarios not detected");
      } finally {
        for (Node node : nodes.values()) {
          if (node.process != null && node.process.isAlive()) {
            node.process.process().destroyForcibly();
            node.process.process().waitFor(20, TimeUnit.SECONDS);
          }
        }
        for (Org org : orgs) {
          org.server().close();
        }
      }
    }
  }

  private Org org(int i) throws Exception {
    String name = "org-" + i;
    SimulatedOrg sim = SimulatedOrg.generate(100 + i, 80);
    // The drill: every scenario that needs no learned history (those relearn after a move, as after
    // a restart; the learned state's own test covers them).
    Scenarios.Timeline timeline =
        Scenarios.day(
            sim,
            DAY,
            Scenarios.all().stream().filter(s -> !Scenarios.needsLearnedHistory(s)).toList());
    Path dir = Files.createDirectories(root.resolve("orgs").resolve(name));
    Files.writeString(dir.resolve("profile.yaml"), sim.profileYaml());
    PubSubServer server =
        PubSubServer.start(
            PubSubServer.Settings.defaults(sim.orgId(), dir.resolve("tls"))
                .withTimers(Duration.ofSeconds(1), Duration.ofSeconds(60)),
            EventSchemas.standard().byTopic(),
            5_000);
    return new Org(name, sim, server, timeline);
  }

  private void configureNodes(List<Org> orgs, String storeUrl) throws Exception {
    int[] hz = {freePort(), freePort(), freePort()};
    List<String> members = new ArrayList<>();
    for (int port : hz) {
      members.add("127.0.0.1:" + port);
    }
    StringBuilder orgList = new StringBuilder("orgs:\n");
    for (Org org : orgs) {
      Path dir = root.resolve("orgs").resolve(org.name());
      orgList.append(
          "  - {name: %s, endpoint: {host: localhost, port: %d, trustCertificate: '%s'},"
                  .formatted(org.name(), org.server().port(), org.server().certificate())
              + " auth: {accessToken: test-token, instanceUrl: '%s', tenantId: %s},"
                  .formatted(org.sim().instanceUrl(), org.sim().orgId())
              + " topics: [%s], replay: earliest, journalProcessed: true, stallWaitSeconds: 30,"
                  .formatted(String.join(", ", EventSchemas.TOPICS))
              + " profile: '%s'}\n".formatted(dir.resolve("profile.yaml")));
    }
    for (int n = 1; n <= 3; n++) {
      String name = "lw-" + n;
      Path dir = Files.createDirectories(root.resolve(name));
      Node node = new Node(name, dir, hz[n - 1], freePort());
      Files.writeString(
          dir.resolve("leakwatch.yaml"),
          orgList
              + """
              alerts: {console: false, jsonl: alerts.jsonl}
              deadLetters: dead-letters.jsonl
              state: state
              store: {kind: postgres, url: '%s', user: %s, password: '${LW_PG_PASSWORD}'}
              api: {host: 127.0.0.1, port: %d, tokens: ['${LW_API_TOKEN}']}
              cluster: {node: %s, host: 127.0.0.1, port: %d, members: [%s], leaseSeconds: 15}
              """
                  .formatted(
                      storeUrl,
                      StoreDatabase.USER,
                      node.apiPort,
                      name,
                      node.hazelcastPort,
                      String.join(", ", members)));
      nodes.put(name, node);
    }
  }

  private void start(Node node) throws IOException {
    node.process =
        RunProcess.start(
            node.dir,
            node.dir.resolve("leakwatch.yaml"),
            node.dir.resolve("node-" + node.runs++ + ".log"),
            "768m",
            Map.of(
                "LW_PG_PASSWORD",
                PG_PASSWORD,
                "LW_API_TOKEN",
                API_TOKEN,
                "LEAKWATCH_PACK_CACHE",
                root.resolve("pack-cache").toString()));
  }

  /** SIGKILLs the node and waits until the survivors run each of its orgs; records how long. */
  private void kill(Node victim, List<Org> orgs, List<String> all) throws Exception {
    Set<String> its = owned(victim);
    long killed = System.nanoTime();
    victim.process.kill(); // SIGKILL: no shutdown hook, leases not released
    List<String> alive = new ArrayList<>(all);
    alive.remove(victim.name);
    Map<String, Long> takenOver = new TreeMap<>();
    long deadline = System.nanoTime() + TAKEOVER_LIMIT.plusSeconds(30).toNanos();
    while (takenOver.size() < its.size()) {
      assertTrue(
          System.nanoTime() < deadline,
          "orgs of " + victim.name + " not taken over: " + its + ", done " + takenOver);
      for (String name : alive) {
        for (String org : owned(nodes.get(name))) {
          if (its.contains(org) && !takenOver.containsKey(org)) {
            takenOver.put(org, (System.nanoTime() - killed) / 1_000_000);
          }
        }
      }
      Thread.sleep(200);
    }
    figures.add(victim.name + " killed with " + its + ": taken over in " + takenOver + " ms");
    for (Map.Entry<String, Long> org : takenOver.entrySet()) {
      assertTrue(
          org.getValue() <= TAKEOVER_LIMIT.toMillis(),
          org.getKey() + " resumed " + org.getValue() + " ms after the kill");
    }
    awaitOwnership(alive, orgs, Duration.ofSeconds(30), "after killing " + victim.name);
  }

  /** The live node owning the most orgs, among {@code among}. */
  private Node busiest(List<String> among, List<Org> orgs) throws Exception {
    Node best = null;
    int most = -1;
    for (String name : among) {
      int n = owned(nodes.get(name)).size();
      if (n > most) {
        best = nodes.get(name);
        most = n;
      }
    }
    assertTrue(most > 0, "no node among " + among + " owns an org");
    return best;
  }

  private static Map<String, String> expectedOwners(List<String> members, List<Org> orgs) {
    Map<String, String> out = new LinkedHashMap<>();
    orgs.forEach(o -> out.put(o.name(), Rendezvous.owner(o.name(), members)));
    return out;
  }

  /**
   * Waits until each org is owned by exactly the node rendezvous hashing picks among {@code
   * members}, and by no other.
   */
  private void awaitOwnership(List<String> members, List<Org> orgs, Duration limit, String what)
      throws Exception {
    Map<String, String> expected = expectedOwners(members, orgs);
    await(
        what + ": every org on its node " + expected,
        () -> {
          Map<String, String> seen = new TreeMap<>();
          for (String name : members) {
            for (String org : owned(nodes.get(name))) {
              if (seen.put(org, name) != null) {
                return false;
              }
            }
          }
          return seen.equals(new TreeMap<>(expected));
        },
        limit);
  }

  /** The orgs a node's {@code /ready} lists as owned; empty when it does not answer. */
  private Set<String> owned(Node node) {
    Set<String> out = new TreeSet<>();
    try {
      HttpResponse<String> ready = get(node, "/ready");
      JSON.readTree(ready.body()).at("/cluster/owned").forEach(o -> out.add(o.asText()));
    } catch (IOException e) {
      // Not listening (yet): owns nothing.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return out;
  }

  private HttpResponse<String> get(Node node, String path)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.apiPort + path))
            .header("Authorization", "Bearer " + API_TOKEN)
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private void await(String what, BooleanSupplier done, Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!done.getAsBoolean()) {
      for (Node node : nodes.values()) {
        if (node.process != null
            && !node.process.isAlive()
            && node.process.process().exitValue() != 137) {
          throw new AssertionError(node.name + " exited: " + log(node));
        }
      }
      if (System.nanoTime() > deadline) {
        StringBuilder logs = new StringBuilder();
        for (Node node : nodes.values()) {
          logs.append(log(node)).append(assignmentThread(node));
        }
        throw new AssertionError(what + ": not within " + limit.toSeconds() + " s\n" + logs);
      }
      Thread.sleep(200);
    }
  }

  /**
   * Every event some node processed: the processed journals of every org on every node (each node
   * keeps its own in its state folder; the org's checkpoint, ledger and learned state are in the
   * store).
   */
  private Set<String> processedIds(List<Org> orgs) {
    Set<String> ids = new HashSet<>();
    for (Org org : orgs) {
      for (Node node : nodes.values()) {
        ids.addAll(
            ProcessedJournalFile.ids(
                node.dir.resolve("state").resolve(org.name()).resolve("processed-events.log")));
      }
    }
    return ids;
  }

  private long processedCount(List<Org> orgs) {
    return processedIds(orgs).size();
  }

  private List<Alert> alerts() {
    List<Alert> alerts = new ArrayList<>();
    for (Node node : nodes.values()) {
      alerts.addAll(AlertsFile.read(node.dir.resolve("alerts.jsonl")));
    }
    return alerts;
  }

  private ScenarioOutcome outcome(List<InjectedScenario> injected) {
    return ScenarioOutcome.match(injected, alerts());
  }

  /** The node's last log lines (JSON lines only: the start summary is long and known). */
  private static String log(Node node) {
    StringBuilder out = new StringBuilder();
    try (var files = Files.list(node.dir)) {
      for (Path f :
          files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList()) {
        List<String> lines =
            Files.readAllLines(f).stream()
                .filter(l -> l.startsWith("{") && !l.contains("\"logger\":\"com.hazelcast"))
                .toList();
        out.append("\n--- ").append(node.name).append(' ').append(f.getFileName()).append(":\n");
        lines
            .subList(Math.max(0, lines.size() - 40), lines.size())
            .forEach(l -> out.append(l, 0, Math.min(l.length(), 400)).append('\n'));
      }
    } catch (IOException e) {
      out.append(e);
    }
    return out.toString();
  }

  /** Where a live node's assignment thread is: a start that never ends shows here. */
  private static String assignmentThread(Node node) {
    if (node.process == null || !node.process.isAlive()) {
      return "";
    }
    try {
      String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
      Process dump =
          new ProcessBuilder(jcmd, Long.toString(node.process.process().pid()), "Thread.print")
              .redirectErrorStream(true)
              .start();
      String text = new String(dump.getInputStream().readAllBytes());
      int at = text.indexOf("\"leakwatch-assignment\"");
      return at < 0 ? "" : text.substring(at, Math.min(text.length(), at + 3000));
    } catch (IOException e) {
      return e.toString();
    }
  }

  private List<String> nodeNames() {
    return new ArrayList<>(nodes.keySet());
  }

  private static long seconds(long sinceNanos) {
    return (System.nanoTime() - sinceNanos) / 1_000_000_000L;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
