package io.leakwatch.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.store.Fence;
import io.leakwatch.store.StoreSettings;
import io.leakwatch.testing.Postgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The org_lease table on a real PostgreSQL server. */
class OrgLeasesTest {
  private static final long TTL = 60_000;
  private StoreSettings store;

  @BeforeEach
  void database() throws Exception {
    store = Postgres.migratedDatabase();
  }

  @Test
  void oneNodeHoldsAnOrgUntilItReleasesItAndEveryGrantHasAHigherToken() throws Exception {
    try (OrgLeases a = new OrgLeases(store, "lw-1#a");
        OrgLeases b = new OrgLeases(store, "lw-2#b")) {
      Fence first = a.acquire("acme", TTL).orElseThrow();
      assertEquals(Optional.empty(), b.acquire("acme", TTL), "a live lease is not taken");
      assertEquals(Optional.empty(), a.acquire("acme", TTL), "nor taken again by its holder");
      assertTrue(a.renew(first, TTL));
      assertFalse(b.renew(new Fence("acme", first.token()), TTL), "renewed only by its holder");
      assertTrue(a.release(first));
      Fence second = b.acquire("acme", TTL).orElseThrow();
      assertTrue(second.token() > first.token(), second + " after " + first);
      assertFalse(a.renew(first, TTL), "the old holder's lease is gone");
      assertFalse(a.release(first), "and it cannot release the new holder's");
      assertEquals("lw-2#b", a.all().get(0).owner());
      assertTrue(a.all().get(0).live());
    }
  }

  @Test
  void anExpiredLeaseIsTakenOverAndTheOldHoldersFenceNoLongerHolds() throws Exception {
    try (OrgLeases a = new OrgLeases(store, "lw-1#a");
        OrgLeases b = new OrgLeases(store, "lw-2#b")) {
      Fence old = a.acquire("acme", 200).orElseThrow();
      long deadline = System.nanoTime() + 10_000_000_000L;
      Optional<Fence> taken = Optional.empty();
      while (taken.isEmpty() && System.nanoTime() < deadline) {
        taken = b.acquire("acme", TTL);
        Thread.sleep(20);
      }
      assertTrue(taken.isPresent(), "never taken over");
      assertEquals(old.token() + 1, taken.get().token());
      assertFalse(a.renew(old, TTL), "a node that paused past its lease finds it gone");
      assertFalse(holds(old), "writes under the old fence are refused");
      assertTrue(holds(taken.get()));
    }
  }

  @Test
  void aLeaseThatRanOutButWasNotTakenIsRenewedUnderTheSameToken() throws Exception {
    try (OrgLeases a = new OrgLeases(store, "lw-1#a")) {
      Fence fence = a.acquire("acme", 1).orElseThrow();
      Thread.sleep(20); // Clock-based on purpose: the lease must have run out.
      assertTrue(a.renew(fence, TTL));
      assertTrue(holds(fence));
    }
  }

  @Test
  void whenManyNodesRaceForAFreeOrgExactlyOneGetsIt() throws Exception {
    int nodes = 8;
    ExecutorService pool = Executors.newFixedThreadPool(nodes);
    List<OrgLeases> leases = new ArrayList<>();
    try {
      for (int round = 0; round < 10; round++) {
        String org = "org-" + round;
        List<Future<Optional<Fence>>> tries = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
          OrgLeases node = new OrgLeases(store, "lw-" + i + "#x");
          leases.add(node);
          Callable<Optional<Fence>> take = () -> node.acquire(org, TTL);
          tries.add(pool.submit(take));
        }
        int granted = 0;
        for (Future<Optional<Fence>> f : tries) {
          granted += f.get().isPresent() ? 1 : 0;
        }
        assertEquals(1, granted, org);
      }
    } finally {
      pool.shutdownNow();
      leases.forEach(OrgLeases::close);
    }
  }

  /** What a fenced write checks: the condition of {@link Fence#HOLDS_LEASE}. */
  private boolean holds(Fence fence) throws Exception {
    try (Connection c = Postgres.sql(store);
        PreparedStatement q = c.prepareStatement("SELECT " + Fence.HOLDS_LEASE)) {
      q.setString(1, fence.org());
      q.setLong(2, fence.token());
      try (var rows = q.executeQuery()) {
        rows.next();
        return rows.getBoolean(1);
      }
    }
  }
}
