package io.leakwatch.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.leakwatch.harness.RunProcess;
import io.leakwatch.harness.StoreDatabase;
import io.leakwatch.sim.Playback;
import io.leakwatch.sim.SimulatedDay;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.testing.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code run} cluster nodes as separate JVMs on one real PostgreSQL store. Node A runs the org
 * alone while its webhook receiver is unreachable, so its alerts wait in A's spool (and the shared
 * ledger says delivered); A is SIGKILLed and its spool folder deleted: the node lost. Node B then
 * starts, is granted the org once A's lease expires, and its webhook receiver (a real HTTP server)
 * must get every alert A had spooled.
 */
@Tag("faults")
class LostNodeSpoolTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PG_PASSWORD = "spool-s3cret";

  @TempDir Path root;
  private StoreDatabase store;
  private SimulatedDay day;
  private HttpServer receiver;
  private RunProcess a;
  private RunProcess b;
  private final Set<String> received = ConcurrentHashMap.newKeySet();

  @AfterEach
  void stop() throws Exception {
    for (RunProcess node : new RunProcess[] {a, b}) {
      if (node != null) {
        node.close();
      }
    }
    if (receiver != null) {
      receiver.stop(0);
    }
    if (day != null) {
      day.close();
    }
    if (store != null) {
      store.close();
    }
  }

  @Test
  void alertsSpooledOnANodeLostWithItsDiskAreSentByTheNodeThatTakesTheOrgOver() throws Exception {
    store = StoreDatabase.start(PG_PASSWORD);
    day = SimulatedDay.serve(root, Duration.ofSeconds(1));
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext(
        "/",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          received.add(JSON.readTree(body).path("id").asText());
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    receiver.start();
    int hzA = freePort();
    int hzB = freePort();
    String members = "127.0.0.1:" + hzA + ", 127.0.0.1:" + hzB;
    Path nodeA = config("lw-a", hzA, members, "http://127.0.0.1:" + freePort() + "/hook");
    Path nodeB =
        config(
            "lw-b", hzB, members, "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");

    a = start(nodeA, "lw-a");
    Thread player = new Thread(new Playback(day.server(), day.events(), 8_000), "playback");
    player.start();
    Path spoolA = root.resolve("lw-a").resolve("spool");
    Await.until(
        () -> spooledKeys(spoolA).size() >= 3,
        "alerts waiting in node A's spool: " + a.logTail(2_000),
        Duration.ofSeconds(180));
    a.kill(); // SIGKILL: the lease is not released, the spool never drained
    Set<String> lost = spooledKeys(spoolA);
    deleteTree(spoolA); // and its disk gone
    player.join();

    b = start(nodeB, "lw-b");
    Await.until(
        () -> received.containsAll(lost),
        "node B sends the " + lost.size() + " alerts A had spooled: got " + received,
        Duration.ofSeconds(120));
    String logB = Files.readString(root.resolve("lw-b.log"));
    assertTrue(logB.contains("took over " + lost.size() + " alert(s)"), logB);
    assertFalse(logB.contains(PG_PASSWORD));
    System.out.printf(
        "node lost with %d alerts in its spool: node B sent %d of them%n",
        lost.size(), lost.stream().filter(received::contains).count());
  }

  /** The alert ids in a spool's pending.jsonl (its payloads are alerts in the leakwatch format). */
  private static Set<String> spooledKeys(Path spool) {
    Set<String> keys = new TreeSet<>();
    Path pending = spool.resolve("pending.jsonl");
    try {
      if (!Files.exists(pending)) {
        return keys;
      }
      for (String line : Files.readAllLines(pending)) {
        try {
          keys.add(JSON.readTree(JSON.readTree(line).path("payload").asText()).path("id").asText());
        } catch (IOException torn) {
          // a line being written
        }
      }
    } catch (IOException e) {
      // read again at the next poll
    }
    return keys;
  }

  private Path config(String node, int hazelcastPort, String members, String hookUrl)
      throws IOException {
    Path dir = Files.createDirectories(root.resolve(node));
    Path config = dir.resolve("leakwatch.yaml");
    Files.writeString(
        config,
        """
        orgs:
          - name: acme
            endpoint: {host: localhost, port: %d, trustCertificate: '%s'}
            auth: {accessToken: test-token, instanceUrl: '%s', tenantId: %s}
            topics: [%s]
            replay: earliest
            stallWaitSeconds: 30
            profile: '%s'
        alerts:
          console: false
          jsonl: alerts.jsonl
          webhooks: [{name: soc, url: '%s', secret: 0123456789abcdef, spool: '%s', retry: {initialMillis: 200, maxMillis: 1000}}]
        deadLetters: dead-letters.jsonl
        state: state
        store: {kind: postgres, url: '%s', user: %s, password: '${LW_PG_PASSWORD}'}
        cluster: {node: %s, host: 127.0.0.1, port: %d, members: [%s], expectedNodes: 1, leaseSeconds: 3}
        """
            .formatted(
                day.server().port(),
                day.server().certificate(),
                day.org().instanceUrl(),
                day.org().orgId(),
                String.join(", ", EventSchemas.TOPICS),
                root.resolve("profile.yaml"),
                hookUrl,
                dir.resolve("spool"),
                store.url(),
                StoreDatabase.USER,
                node,
                hazelcastPort,
                members));
    return config;
  }

  private RunProcess start(Path config, String node) throws IOException {
    return RunProcess.start(
        config.getParent(),
        config,
        root.resolve(node + ".log"),
        "512m",
        Map.of("LW_PG_PASSWORD", PG_PASSWORD));
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
