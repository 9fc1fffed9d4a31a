package io.leakwatch.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Two real Hazelcast members on loopback, joined through the TCP/IP member list. */
class HazelcastMembershipTest {
  @Test
  void membersSeeEachOtherByNodeNameAndALeavingMemberIsGoneFromTheList() throws Exception {
    int portA = freePort();
    int portB = freePort();
    List<String> members = List.of("127.0.0.1:" + portA, "127.0.0.1:" + portB);
    String cluster = "test-" + System.nanoTime();
    try (HazelcastMembership a =
        HazelcastMembership.join(settings("lw-a", portA, members, cluster))) {
      AtomicInteger changes = new AtomicInteger();
      a.onChange(changes::incrementAndGet);
      assertEquals(List.of("lw-a"), a.members());
      try (HazelcastMembership b =
          HazelcastMembership.join(settings("lw-b", portB, members, cluster))) {
        await(() -> a.members(), List.of("lw-a", "lw-b"));
        await(() -> b.members(), List.of("lw-a", "lw-b"));
        assertTrue(changes.get() >= 1, "a was told b joined");
      }
      await(() -> a.members(), List.of("lw-a"));
    }
  }

  @Test
  void aMemberOfAnotherClusterNameNeverJoins() throws Exception {
    int portA = freePort();
    int portB = freePort();
    List<String> members = List.of("127.0.0.1:" + portA, "127.0.0.1:" + portB);
    try (HazelcastMembership a =
            HazelcastMembership.join(
                settings("lw-a", portA, members, "prod-" + System.nanoTime()));
        HazelcastMembership b =
            HazelcastMembership.join(
                settings("lw-b", portB, members, "staging-" + System.nanoTime()))) {
      assertEquals(List.of("lw-a"), a.members());
      assertEquals(List.of("lw-b"), b.members());
    }
  }

  private static ClusterSettings settings(
      String name, int port, List<String> members, String cluster) {
    return new ClusterSettings(name, "127.0.0.1", port, members, 2, 15_000, cluster);
  }

  private static void await(Supplier<List<String>> seen, List<String> wanted) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!seen.get().equals(wanted)) {
      assertTrue(System.nanoTime() < deadline, "saw " + seen.get() + ", wanted " + wanted);
      Thread.sleep(50);
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
