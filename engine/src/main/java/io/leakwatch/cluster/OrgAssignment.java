package io.leakwatch.cluster;

import io.leakwatch.store.Fence;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * This node's share of the orgs. From the live member list every node computes each org's owner
 * ({@link Rendezvous}); a node starts an org's engine only after taking the org's lease in the
 * store, renews it every third of its lifetime, and stops the engine before giving the lease up. So
 * an org moves (a node joined, left or died) only once its previous owner stopped it or its lease
 * ran out: never two engines on one org, even when the nodes' views of the cluster differ for a
 * moment.
 *
 * <ul>
 *   <li>A node that sees fewer than a majority of the configured nodes stops every org: on the
 *       other side of a partition, a majority may be taking them over.
 *   <li>A node that cannot renew a lease (the store unreachable) stops the org while the lease it
 *       last renewed still has a third of its life left: by the time another node can take it, this
 *       one no longer processes it.
 *   <li>A lease taken by another node (this node paused past its expiry) stops the org at once; the
 *       fence refuses whatever the stale engine still tries to write.
 * </ul>
 *
 * <p>Two threads: the assignment (starts and stops engines, which takes seconds) and the renewal,
 * which never waits for an engine to start so that no lease runs out while another org starts.
 */
public final class OrgAssignment implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OrgAssignment.class);

  /** How often the assignment looks again without a membership change. */
  static final long TICK_MILLIS = 1_000;

  /** How long after a failed start an org is tried again. */
  static final long RETRY_AFTER_FAILED_START_MILLIS = 10_000;

  private final ClusterSettings settings;
  private final Membership membership;
  private final OrgEngines engines;
  private final OrgLeases assignLeases;
  private final OrgLeases renewLeases;
  private final LongSupplier nanos;
  private final Map<String, Held> held = new ConcurrentHashMap<>();
  private final Map<String, Long> retryAt = new ConcurrentHashMap<>();
  // Orgs this node should run (their owner by rendezvous, with quorum) that are not running here,
  // since when (nanos), and why as far as this node knows.
  private final Map<String, Long> notRunningSince = new ConcurrentHashMap<>();
  private final Map<String, String> whyNotRunning = new ConcurrentHashMap<>();
  private final ScheduledExecutorService assigner;
  private final ScheduledExecutorService renewer;
  private final ExecutorService stopper;
  private final AtomicBoolean tickQueued = new AtomicBoolean();

  /** Whether this node last saw a quorum; null before the first look. */
  private volatile Boolean quorum;

  private volatile boolean closed;

  /** An org whose lease this node holds; its engine starts right after the grant. */
  private static final class Held {
    final Fence fence;
    volatile long renewedAtNanos;
    volatile boolean lost;

    Held(Fence fence, long renewedAtNanos) {
      this.fence = fence;
      this.renewedAtNanos = renewedAtNanos;
    }
  }

  /**
   * @param assignLeases and {@code renewLeases}: two connections to the lease table, one per thread
   */
  public OrgAssignment(
      ClusterSettings settings,
      Membership membership,
      OrgEngines engines,
      OrgLeases assignLeases,
      OrgLeases renewLeases,
      LongSupplier nanos) {
    this.settings = settings;
    this.membership = membership;
    this.engines = engines;
    this.assignLeases = assignLeases;
    this.renewLeases = renewLeases;
    this.nanos = nanos;
    this.assigner = Executors.newSingleThreadScheduledExecutor(r -> thread(r, "assignment"));
    this.renewer = Executors.newSingleThreadScheduledExecutor(r -> thread(r, "lease-renewal"));
    this.stopper = Executors.newCachedThreadPool(r -> thread(r, "org-stop"));
  }

  private static Thread thread(Runnable r, String name) {
    Thread t = new Thread(r, "leakwatch-" + name);
    t.setDaemon(true);
    return t;
  }

  /** Starts assigning: now, on every membership change, and every second. */
  public OrgAssignment start() {
    membership.onChange(this::tickSoon);
    assigner.scheduleWithFixedDelay(this::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
    long check = Math.max(100, settings.leaseTtlMillis() / 15);
    renewer.scheduleWithFixedDelay(this::renew, check, check, TimeUnit.MILLISECONDS);
    return this;
  }

  /** What this node sees and owns now. */
  public ClusterStatus status() {
    List<String> members = membership.members();
    Set<String> owned = new TreeSet<>();
    held.keySet().stream().filter(engines::running).forEach(owned::add);
    return new ClusterStatus(
        settings.nodeName(),
        members,
        settings.expectedNodes(),
        members.size() >= settings.quorum(),
        engines.configured(),
        owned,
        stranded());
  }

  /**
   * Orgs this node should run that have not run here for longer than a takeover takes (twice the
   * lease: the previous owner's lease runs out, then the engine starts), each with why. No other
   * node will take them, since this node is their owner: every node would look ready while nobody
   * watches the org.
   */
  private Map<String, String> stranded() {
    long now = nanos.getAsLong();
    long grace = millis(2 * settings.leaseTtlMillis());
    Map<String, String> out = new TreeMap<>();
    notRunningSince.forEach(
        (org, since) -> {
          if (now - since >= grace && !engines.running(org)) {
            out.put(
                org,
                whyNotRunning.getOrDefault(org, "not started")
                    + " (not running for "
                    + (now - since) / 1_000_000_000L
                    + " s)");
          }
        });
    return out;
  }

  private void tickSoon() {
    if (!closed && tickQueued.compareAndSet(false, true)) {
      assigner.execute(this::tick);
    }
  }

  private void tick() {
    tickQueued.set(false);
    if (closed) {
      return;
    }
    try {
      assign();
    } catch (RuntimeException e) {
      LOG.error("org assignment failed; trying again: {}", e.toString(), e);
    }
  }

  private void assign() {
    List<String> members = membership.members();
    if (!hasQuorum(members)) {
      // Without quorum this node owns nothing (and says so: no quorum, not ready).
      notRunningSince.clear();
      whyNotRunning.clear();
      return;
    }
    Set<String> mine = Rendezvous.ownedBy(settings.nodeName(), engines.configured(), members);
    try {
      assign(members, mine);
    } finally {
      watch(mine);
    }
  }

  /** Notes which of this node's orgs do not run here, and since when. */
  private void watch(Set<String> mine) {
    notRunningSince.keySet().retainAll(mine);
    whyNotRunning.keySet().retainAll(mine);
    long now = nanos.getAsLong();
    for (String org : mine) {
      if (engines.running(org)) {
        notRunningSince.remove(org);
        whyNotRunning.remove(org);
      } else {
        notRunningSince.putIfAbsent(org, now);
      }
    }
  }

  private void assign(List<String> members, Set<String> mine) {
    // First give up what moves elsewhere, so the new owner can start it.
    for (String org : List.copyOf(held.keySet())) {
      if (!mine.contains(org)) {
        String to = Rendezvous.owner(org, members);
        LOG.info(
            "org {} moves to node {} ({} members): stopping it here and releasing its lease",
            org,
            to,
            members.size());
        stopAndRelease(org, true);
      } else if (!engines.running(org)) {
        // It stopped on its own (a write refused under a stale fence, a fatal error).
        LOG.warn("org {} stopped on this node; its lease is released and taken again", org);
        stopAndRelease(org, true);
        retryAt.put(org, nanos.getAsLong() + millis(RETRY_AFTER_FAILED_START_MILLIS));
      }
    }
    for (String org : mine) {
      if (closed || !Boolean.TRUE.equals(quorum)) {
        return;
      }
      Long retry = retryAt.get(org);
      if (held.containsKey(org) || (retry != null && nanos.getAsLong() - retry < 0)) {
        continue;
      }
      take(org);
    }
  }

  private void take(String org) {
    long asked = nanos.getAsLong();
    Optional<Fence> fence;
    try {
      fence = assignLeases.acquire(org, settings.leaseTtlMillis());
    } catch (SQLException e) {
      LOG.warn("org {}: its lease could not be taken (the store: {})", org, e.getMessage());
      whyNotRunning.put(org, "its lease could not be taken (the store: " + e.getMessage() + ")");
      return;
    }
    if (fence.isEmpty()) {
      // Its previous owner still holds it: taken once released or expired.
      whyNotRunning.put(org, "its lease is held by another node");
      return;
    }
    held.put(org, new Held(fence.get(), asked));
    retryAt.remove(org);
    try (MDC.MDCCloseable ignored = MDC.putCloseable("org", org)) {
      LOG.info(
          "org {}: lease granted to node {} (fencing token {}); starting its engine",
          org,
          settings.nodeName(),
          fence.get().token());
      engines.start(org, fence.get());
      if (held.get(org) == null || held.get(org).fence != fence.get()) {
        // Stopped by the renewal thread while starting (quorum or lease lost): stop what started.
        engines.stop(org);
      }
    } catch (Exception e) {
      LOG.error(
          "org {} could not start on node {}; lease released, trying again in {} s: {}",
          org,
          settings.nodeName(),
          RETRY_AFTER_FAILED_START_MILLIS / 1000,
          e.getMessage());
      stopAndRelease(org, true);
      retryAt.put(org, nanos.getAsLong() + millis(RETRY_AFTER_FAILED_START_MILLIS));
      whyNotRunning.put(org, "its engine could not start: " + e.getMessage());
    }
  }

  private boolean hasQuorum(List<String> members) {
    boolean now = members.size() >= settings.quorum();
    if (quorum == null && !now) {
      LOG.warn(
          "waiting for a cluster quorum: node {} sees {} of {} nodes ({}), needs {}; processing"
              + " nothing until then",
          settings.nodeName(),
          members.size(),
          settings.expectedNodes(),
          String.join(", ", members),
          settings.quorum());
      quorum = false;
    } else if (quorum == null || now != quorum) {
      if (now) {
        LOG.info(
            "cluster quorum: node {} sees {} of {} nodes ({}); taking its share of the orgs",
            settings.nodeName(),
            members.size(),
            settings.expectedNodes(),
            String.join(", ", members));
      } else {
        LOG.error(
            "cluster quorum lost: node {} sees {} of {} nodes ({}), fewer than the {} needed;"
                + " stopping all {} of its orgs rather than risk a second owner",
            settings.nodeName(),
            members.size(),
            settings.expectedNodes(),
            String.join(", ", members),
            settings.quorum(),
            held.size());
      }
      quorum = now;
    }
    if (!now) {
      stopAll();
    }
    return now;
  }

  /** Stops every org this node holds, in parallel, and releases what the store still answers. */
  private void stopAll() {
    List<Future<?>> stopping = new ArrayList<>();
    for (String org : List.copyOf(held.keySet())) {
      stopping.add(stopper.submit(() -> stopAndRelease(org, true)));
    }
    for (Future<?> f : stopping) {
      try {
        f.get();
      } catch (Exception e) {
        LOG.error("an org did not stop cleanly: {}", e.toString());
      }
    }
  }

  /**
   * Stops the org's engine (it saves its checkpoint), forgets the lease and, if asked, releases it
   * in the store so the next owner need not wait for it to expire.
   */
  private void stopAndRelease(String org, boolean release) {
    Held h = held.get(org);
    try {
      engines.stop(org);
    } catch (RuntimeException e) {
      LOG.error("org {} did not stop cleanly: {}", org, e.toString());
    }
    if (h == null || !held.remove(org, h)) {
      return; // stopped by the other thread meanwhile
    }
    if (release) {
      try {
        if (!renewLeases.release(h.fence)) {
          LOG.warn("org {}: its lease had already passed to another node", org);
        }
      } catch (SQLException e) {
        // It expires on its own; the next owner waits for that.
        LOG.warn("org {}: lease not released (the store: {}); it expires", org, e.getMessage());
      }
    }
  }

  /** The renewal thread: keeps every held lease alive, or stops the org before it can lapse. */
  private void renew() {
    if (closed) {
      return;
    }
    try {
      if (membership.members().size() < settings.quorum()) {
        if (!held.isEmpty()) {
          // The assignment thread may be busy starting an engine: do not wait for it.
          List<String> orgs = List.copyOf(held.keySet());
          LOG.error(
              "cluster quorum lost: node {} stops {} orgs {}",
              settings.nodeName(),
              orgs.size(),
              orgs);
          stopAll();
        }
        return;
      }
      long ttl = settings.leaseTtlMillis();
      for (Map.Entry<String, Held> entry : held.entrySet()) {
        String org = entry.getKey();
        Held h = entry.getValue();
        if (h.lost) {
          continue; // being stopped
        }
        long age = nanos.getAsLong() - h.renewedAtNanos;
        if (age < millis(ttl / 3)) {
          continue;
        }
        long asked = nanos.getAsLong();
        try {
          if (renewLeases.renew(h.fence, ttl)) {
            h.renewedAtNanos = asked;
            continue;
          }
          LOG.error(
              "org {}: its lease (token {}) was taken by another node; stopping it here at once",
              org,
              h.fence.token());
          h.lost = true;
          stopper.execute(() -> stopAndRelease(org, false));
        } catch (SQLException e) {
          if (age >= millis(ttl * 2 / 3)) {
            LOG.error(
                "org {}: lease not renewed for {} ms (the store: {}); stopping it before the lease"
                    + " can pass to another node",
                org,
                age / 1_000_000,
                e.getMessage());
            h.lost = true;
            stopper.execute(() -> stopAndRelease(org, false));
          } else {
            LOG.warn("org {}: lease renewal failed, retrying: {}", org, e.getMessage());
          }
        }
      }
    } catch (RuntimeException e) {
      LOG.error("lease renewal failed: {}", e.toString(), e);
    }
  }

  private static long millis(long ms) {
    return TimeUnit.MILLISECONDS.toNanos(ms);
  }

  /**
   * Stops this node's threads and nothing else: no engine stopped, no lease released, as when the
   * process is killed. For tests that kill a node.
   */
  void halt() {
    closed = true;
    assigner.shutdownNow();
    renewer.shutdownNow();
    stopper.shutdownNow();
    assignLeases.close();
    renewLeases.close();
  }

  /**
   * Stops every org this node runs, releasing their leases so the other nodes take them at once,
   * then stops assigning.
   */
  @Override
  public void close() {
    closed = true;
    assigner.shutdown();
    renewer.shutdown();
    try {
      assigner.awaitTermination(60, TimeUnit.SECONDS);
      renewer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    stopAll();
    stopper.shutdown();
    assignLeases.close();
    renewLeases.close();
  }
}
