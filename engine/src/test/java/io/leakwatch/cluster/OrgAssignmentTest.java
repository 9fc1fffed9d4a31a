package io.leakwatch.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.store.Fence;
import io.leakwatch.store.StoreSettings;
import io.leakwatch.testing.Postgres;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three nodes assigning six orgs through leases in a real PostgreSQL server. The membership each
 * node sees is set by the test (Hazelcast is what changes it in production; HazelcastMembershipTest
 * covers that part) and the engines are recorders that fail the test the moment an org would run on
 * two nodes at once.
 */
class OrgAssignmentTest {
  private static final long TTL = 3_000;
  private static final List<String> ORGS =
      List.of("acme", "globex", "initech", "umbrella", "hooli", "stark");
  private StoreSettings store;
  private final Engines engines = new Engines();
  private final Map<String, Node> nodes = new TreeMap<>();

  @BeforeEach
  void database() throws Exception {
    store = Postgres.migratedDatabase();
  }

  @AfterEach
  void stopNodes() {
    nodes.values().forEach(n -> n.assignment.close());
  }

  @Test
  void eachOrgRunsOnExactlyOneNodeTheOneRendezvousHashingPicks() throws Exception {
    startNodes("lw-1", "lw-2", "lw-3");
    awaitAssigned(List.of("lw-1", "lw-2", "lw-3"));
    for (String org : ORGS) {
      assertEquals(Rendezvous.owner(org, List.of("lw-1", "lw-2", "lw-3")), engines.on(org));
    }
    ClusterStatus status = nodes.get("lw-1").assignment.status();
    assertTrue(status.quorum());
    assertEquals(ORGS, status.configured());
    assertEquals(engines.ownedBy("lw-1"), status.owned());
    assertEquals(List.of(), engines.violations);
  }

  @Test
  void aKilledNodesOrgsMoveOnceItsLeasesExpireAndComeBackWhenItReturnsNeverTwiceAtOnce()
      throws Exception {
    startNodes("lw-1", "lw-2", "lw-3");
    awaitAssigned(List.of("lw-1", "lw-2", "lw-3"));
    Set<String> lost = engines.ownedBy("lw-3");
    assertTrue(!lost.isEmpty(), "lw-3 owns nothing: pick other org names");

    long killed = System.nanoTime();
    kill("lw-3");
    awaitAssigned(List.of("lw-1", "lw-2"));
    long takeover = (System.nanoTime() - killed) / 1_000_000;
    assertTrue(takeover >= TTL * 2 / 3, "taken over after " + takeover + " ms, before expiry");
    for (String org : lost) {
      assertTrue(engines.tokens.get(org).size() == 2, "one grant more for " + org);
    }

    // lw-3 restarts (a new process under the same name): its orgs move back, stopped first.
    startNodes("lw-3");
    awaitAssigned(List.of("lw-1", "lw-2", "lw-3"));
    for (String org : lost) {
      assertEquals("lw-3", engines.on(org));
      assertEquals(3, engines.tokens.get(org).size(), org + " " + engines.tokens.get(org));
    }
    assertEquals(List.of(), engines.violations);
    engines.tokens.forEach(
        (org, tokens) -> {
          List<Long> sorted = new ArrayList<>(tokens);
          Collections.sort(sorted);
          assertEquals(sorted, tokens, org + ": tokens only grow");
        });
  }

  @Test
  void aNodeThatSeesNoMajorityStopsEverythingAndTheMajorityTakesItsOrgs() throws Exception {
    startNodes("lw-1", "lw-2", "lw-3");
    awaitAssigned(List.of("lw-1", "lw-2", "lw-3"));
    Set<String> isolated = engines.ownedBy("lw-1");
    // A partition: lw-1 alone on one side, lw-2 and lw-3 on the other.
    nodes.get("lw-1").membership.set(List.of("lw-1"));
    nodes.get("lw-2").membership.set(List.of("lw-2", "lw-3"));
    nodes.get("lw-3").membership.set(List.of("lw-2", "lw-3"));
    await("lw-1 stops its orgs", () -> engines.ownedBy("lw-1").isEmpty());
    assertTrue(!nodes.get("lw-1").assignment.status().quorum());
    awaitAssigned(List.of("lw-2", "lw-3"));
    for (String org : isolated) {
      assertTrue(Set.of("lw-2", "lw-3").contains(engines.on(org)));
    }
    // Healed: lw-1 takes its share back.
    for (Node n : nodes.values()) {
      n.membership.set(List.of("lw-1", "lw-2", "lw-3"));
    }
    awaitAssigned(List.of("lw-1", "lw-2", "lw-3"));
    assertEquals(isolated, engines.ownedBy("lw-1"));
    assertEquals(List.of(), engines.violations);
  }

  @Test
  void aLeaseTakenFromUnderANodeStopsItsEngineAtOnce() throws Exception {
    startNodes(1, "lw-1"); // a one-node cluster: quorum 1 of 1
    awaitAssigned(List.of("lw-1"));
    // Another process took "acme" (as if lw-1 had paused past its lease).
    try (Connection c = Postgres.sql(store)) {
      c.createStatement()
          .executeUpdate(
              "UPDATE org_lease SET owner = 'intruder', token = token + 1,"
                  + " expires_at = expires_at + 600000 WHERE org = 'acme'");
    }
    await("lw-1 stops acme", () -> engines.on("acme") == null);
    assertTrue(!nodes.get("lw-1").assignment.status().owned().contains("acme"));
    assertEquals(5, engines.ownedBy("lw-1").size());
  }

  @Test
  void anOrgItsOwnerCannotStartIsNamedByThatNodeAndRunsNowhereElse() throws Exception {
    engines.failing.add("hooli");
    startNodes(1, "lw-1");
    await(
        "lw-1 names hooli",
        () -> nodes.get("lw-1").assignment.status().stranded().containsKey("hooli"));
    String why = nodes.get("lw-1").assignment.status().stranded().get("hooli");
    assertTrue(why.startsWith("its engine could not start: hooli will not start"), why);
    assertEquals(Set.of("hooli"), nodes.get("lw-1").assignment.status().stranded().keySet());
    assertEquals(null, engines.on("hooli"));

    engines.failing.remove("hooli");
    await("hooli runs", () -> "lw-1".equals(engines.on("hooli")));
    await("lw-1 names nothing", () -> nodes.get("lw-1").assignment.status().stranded().isEmpty());
  }

  private void startNodes(String... names) throws Exception {
    startNodes(3, names);
  }

  private void startNodes(int expected, String... names) throws Exception {
    List<String> everyone = new ArrayList<>(nodes.keySet());
    Collections.addAll(everyone, names);
    Collections.sort(everyone);
    for (String name : names) {
      ClusterSettings settings =
          new ClusterSettings(name, "127.0.0.1", 0, List.of("127.0.0.1:0"), expected, TTL, "test");
      TestMembership membership = new TestMembership(name);
      String owner = name + "#" + System.nanoTime();
      OrgAssignment assignment =
          new OrgAssignment(
              settings,
              membership,
              engines.node(name),
              new OrgLeases(store, owner),
              new OrgLeases(store, owner),
              System::nanoTime);
      nodes.put(name, new Node(membership, assignment));
      assignment.start();
    }
    for (Node n : nodes.values()) {
      n.membership.set(everyone); // the others see the new ones join
    }
  }

  /** SIGKILL: the threads stop, the engines vanish with the process, nothing is released. */
  private void kill(String name) {
    Node node = nodes.remove(name);
    node.assignment.halt();
    engines.vanish(name);
    List<String> left = new ArrayList<>(nodes.keySet());
    nodes.values().forEach(n -> n.membership.set(left));
  }

  /** Waits until every org runs on the node rendezvous hashing picks among {@code members}. */
  private void awaitAssigned(List<String> members) throws Exception {
    await(
        "every org on its node among " + members,
        () -> ORGS.stream().allMatch(o -> Rendezvous.owner(o, members).equals(engines.on(o))));
  }

  private void await(String what, BooleanSupplier done) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!done.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, what + ": not within 30 s; " + engines.running);
      Thread.sleep(50);
    }
  }

  private record Node(TestMembership membership, OrgAssignment assignment) {}

  /** The member list one node sees; the test changes it as Hazelcast would. */
  private static final class TestMembership implements Membership {
    private final String self;
    private volatile List<String> members;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    TestMembership(String self) {
      this.self = self;
      this.members = List.of(self);
    }

    void set(List<String> now) {
      members = now.stream().sorted().toList();
      listeners.forEach(Runnable::run);
    }

    @Override
    public List<String> members() {
      return members;
    }

    @Override
    public void onChange(Runnable listener) {
      listeners.add(listener);
    }

    @Override
    public void close() {}
  }

  /** Every node's engines, recording where each org runs and every violation of one-owner. */
  private static final class Engines {
    final Map<String, String> running = new ConcurrentHashMap<>();
    final Map<String, List<Long>> tokens = new ConcurrentHashMap<>();
    final List<String> violations = new CopyOnWriteArrayList<>();
    final Set<String> failing = ConcurrentHashMap.newKeySet();

    String on(String org) {
      return running.get(org);
    }

    Set<String> ownedBy(String node) {
      Map<String, String> copy = new HashMap<>(running);
      Set<String> out = new java.util.TreeSet<>();
      copy.forEach(
          (org, n) -> {
            if (n.equals(node)) {
              out.add(org);
            }
          });
      return out;
    }

    void vanish(String node) {
      running.values().removeIf(node::equals);
    }

    OrgEngines node(String name) {
      return new OrgEngines() {
        @Override
        public List<String> configured() {
          return ORGS;
        }

        @Override
        public void start(String org, Fence fence) throws Exception {
          if (failing.contains(org)) {
            throw new IllegalStateException(org + " will not start");
          }
          String other = running.putIfAbsent(org, name);
          if (other != null && !other.equals(name)) {
            violations.add(org + " started on " + name + " while running on " + other);
          }
          tokens.computeIfAbsent(org, o -> new CopyOnWriteArrayList<>()).add(fence.token());
          Thread.sleep(100); // an engine takes a moment to start
        }

        @Override
        public void stop(String org) {
          running.remove(org, name);
        }

        @Override
        public boolean running(String org) {
          return name.equals(running.get(org));
        }
      };
    }
  }
}
