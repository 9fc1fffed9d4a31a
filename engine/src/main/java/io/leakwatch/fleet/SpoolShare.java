package io.leakwatch.fleet;

import io.leakwatch.alert.AlertSink;
import io.leakwatch.alert.SpooledAlertSink;
import io.leakwatch.decision.Alert;
import io.leakwatch.store.Fence;
import io.leakwatch.store.PostgresSpooledAlerts;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On a cluster node: what this node's spooled sinks hold and have not sent, recorded in the shared
 * store, so the node that takes an org over sends what a lost node never did.
 *
 * <p>A spooled sink returns once the alert is on this node's disk and the ledger then says
 * delivered, so a takeover would otherwise skip it. Each alert a sink is about to spool is recorded
 * first ({@link #recording}), the row goes when that sink delivers or dead-letters it, and an org's
 * owner spools into its sink of the same name the org's rows of every node that is not a live
 * member ({@link #takeOver}): when it is granted the org, and for the orgs it runs whenever a
 * member leaves ({@link #membersChanged}), and every {@link #SWEEP_EVERY} besides: a sweep that
 * failed, or a node that was never a member again before it was lost, would otherwise wait for a
 * change that may not come. This node's own rows are taken once per org after it starts (a
 * replacement under the same name on a fresh disk), not at every sweep, when its spool holds them.
 * A node that comes back and sends its spool too delivers those alerts twice, with the same
 * delivery key; none is lost. Dead letters are not sent again by a takeover: the row goes when the
 * alert is dead-lettered.
 */
public final class SpoolShare implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SpoolShare.class);
  static final Duration SWEEP_EVERY = Duration.ofMinutes(1);

  private final PostgresSpooledAlerts store;
  private final Map<String, SpooledAlertSink> sinks = new HashMap<>();
  private final Map<String, AtomicLong> takenOver = new ConcurrentHashMap<>();
  private volatile Supplier<Collection<String>> liveNodes;
  private final Map<String, Fence> owned = new ConcurrentHashMap<>();
  // Orgs whose rows recorded under this node's own name were taken since it started.
  private final java.util.Set<String> ownRowsTaken = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService sweeper =
      Executors.newSingleThreadScheduledExecutor(daemon("spooled-alert-takeover"));
  private final ExecutorService finisher =
      Executors.newSingleThreadExecutor(daemon("spooled-alert-finished"));

  /**
   * @param sinks the node's sinks; each spooled one tells the store when it finishes an entry
   * @param liveNodes the cluster's live members by node name, or null while unknown (then only this
   *     node counts as live: a takeover sends rows of live nodes too, twice rather than never)
   */
  public SpoolShare(
      PostgresSpooledAlerts store, List<AlertSink> sinks, Supplier<Collection<String>> liveNodes) {
    this(store, sinks, liveNodes, SWEEP_EVERY);
  }

  /** The same, sweeping the orgs this node runs every {@code sweepEvery}. */
  public SpoolShare(
      PostgresSpooledAlerts store,
      List<AlertSink> sinks,
      Supplier<Collection<String>> liveNodes,
      Duration sweepEvery) {
    this.store = store;
    this.liveNodes = liveNodes;
    for (AlertSink sink : sinks) {
      if (sink instanceof SpooledAlertSink spooled) {
        this.sinks.put(spooled.name(), spooled);
        // Off the delivery thread: a store that hangs must not slow a spool's draining.
        spooled.whenFinished(key -> finishLater(spooled.name(), key));
      }
    }
    long every = sweepEvery.toMillis();
    sweeper.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
  }

  /** Sets where the cluster's live members come from (once the node joined). */
  public void seeMembersIn(Supplier<Collection<String>> liveNodes) {
    this.liveNodes = liveNodes;
  }

  /**
   * {@code org}'s handle on {@code sink}: a spooled sink records each alert in the store before it
   * takes it, so an alert on this node's disk is always in the store too; any other sink is
   * returned as it is. Not synchronized: callers sharing {@code sink} between orgs take turns on
   * it.
   */
  public AlertSink recording(String org, AlertSink sink) {
    if (!(sink instanceof SpooledAlertSink spooled)) {
      return sink;
    }
    return new AlertSink() {
      @Override
      public void accept(Alert alert) throws IOException {
        String payload = spooled.payloadToSpool(alert);
        if (payload != null) {
          store.spooled(org, spooled.name(), alert.deliveryKey(), payload);
        }
        spooled.accept(alert);
      }

      @Override
      public SpooledAlertSink.Stats spoolStats() {
        return spooled.spoolStats();
      }
    };
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  private void finishLater(String sink, String key) {
    try {
      finisher.execute(() -> finished(sink, key));
    } catch (RejectedExecutionException e) {
      // Closing: the row stays, and a later takeover may send the alert again (same key).
    }
  }

  private void finished(String sink, String key) {
    try {
      store.finished(sink, key);
    } catch (IOException e) {
      // The row stays: a later takeover may send the alert again (same key), never lose it.
      LOG.error(
          "alert sink {}: alert {} finished but still recorded as spooled on node {}: {}",
          sink,
          key,
          store.node(),
          e.getMessage());
    }
  }

  /**
   * Spools here the org's alerts that a node no longer live spooled and never finished, and records
   * them as this node's under {@code fence}. Call once this node holds the org's lease.
   *
   * @return how many were spooled here now
   */
  public synchronized int takeOver(String org, Fence fence) throws IOException {
    store.checkFence(fence); // a node that lost the org adopts nothing
    Supplier<Collection<String>> members = liveNodes;
    Collection<String> live = members == null ? List.of() : members.get();
    if (live.isEmpty()) {
      // The membership is unknown (it always lists this node once known): every node would look
      // gone and live ones' alerts be sent twice. The next sweep tries again.
      LOG.warn("org {}: cluster members unknown: spooled alerts not taken over now", org);
      return 0;
    }
    // This node's own rows too, the first time after it starts: a replacement under the same name
    // on a fresh disk. Later its spool holds them, and going through them again is wasted work.
    boolean withOwn = ownRowsTaken.add(org);
    List<String> others =
        withOwn ? live.stream().filter(n -> !n.equals(store.node())).toList() : List.copyOf(live);
    int spooled = 0;
    int already = 0;
    int noSink = 0;
    for (PostgresSpooledAlerts.Spooled row : store.onNodesGone(org, others)) {
      SpooledAlertSink sink = sinks.get(row.sink());
      if (sink == null) {
        noSink++;
        continue; // left for a node that has this sink
      }
      switch (sink.adopt(row.deliveryKey(), row.payload())) {
        case SPOOLED -> {
          spooled++;
          if (!row.node().equals(store.node())) { // counted: alerts another node left unsent
            takenOver.computeIfAbsent(org, o -> new AtomicLong()).incrementAndGet();
          }
          store.takenOver(row, fence);
        }
        case ALREADY_PENDING -> {
          already++;
          store.takenOver(row, fence);
        }
        case ALREADY_FINISHED -> {
          already++;
          store.forget(row);
        }
      }
    }
    if (spooled + already + noSink > 0) {
      LOG.info(
          "org {}: took over {} alert(s) spooled on nodes gone and never sent, {} already in this"
              + " node's spools, {} for sinks this node does not have (left in the store)",
          org,
          spooled,
          already,
          noSink);
    }
    return spooled;
  }

  /** This node runs {@code org} under {@code fence} now: a member leaving sweeps it too. */
  public void owns(String org, Fence fence) {
    owned.put(org, fence);
  }

  /** This node stopped running {@code org}. */
  public void gave(String org) {
    owned.remove(org);
  }

  /**
   * A member joined or left: takes over, for every org this node runs, what a node gone left unsent
   * (an org given away by a node that was then lost is swept by its owner here, not only at its
   * next move). Runs on a thread of its own: the caller may be the membership's.
   */
  public void membersChanged() {
    try {
      sweeper.execute(this::sweep);
    } catch (RejectedExecutionException e) {
      // Closing: nothing more is taken over here.
    }
  }

  private void sweep() {
    for (Map.Entry<String, Fence> org : Map.copyOf(owned).entrySet()) {
      try {
        takeOver(org.getKey(), org.getValue());
      } catch (IOException | RuntimeException e) {
        LOG.error(
            "org {}: alerts spooled on nodes gone could not be taken over (tried again at the"
                + " next sweep, membership change or start of the org): {}",
            org.getKey(),
            e.getMessage());
      }
    }
  }

  /** Per org, the alerts this node took over from nodes gone since it started. */
  public Map<String, Long> takenOver() {
    Map<String, Long> counts = new HashMap<>();
    takenOver.forEach((org, count) -> counts.put(org, count.get()));
    return counts;
  }

  /** Alerts of {@code org} this node took over from nodes gone since it started. */
  public long takenOver(String org) {
    AtomicLong count = takenOver.get(org);
    return count == null ? 0 : count.get();
  }

  @Override
  public void close() {
    sweeper.shutdownNow();
    finisher.shutdown(); // the rows of entries already finished go first, if the store answers
    try {
      sweeper.awaitTermination(10, TimeUnit.SECONDS);
      finisher.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    store.close();
  }
}
