package io.leakwatch.engine;

import io.leakwatch.checkpoint.AlertLedger;
import io.leakwatch.checkpoint.CheckpointStore;
import io.leakwatch.checkpoint.Checkpoints;
import io.leakwatch.checkpoint.DeliveryLedger;
import io.leakwatch.checkpoint.LearnedStateFile;
import io.leakwatch.checkpoint.LearnedStateStore;
import io.leakwatch.pubsub.ReplayStart;
import io.leakwatch.store.Fence;
import io.leakwatch.store.SharedOrgState;
import io.leakwatch.store.StoreSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How the engine survives restarts and broken streams.
 *
 * <p>Where an org's checkpoint, delivered-alert ledger and learned state live follows the store:
 * files in {@code stateDir} with the embedded store (the default, no setup), or rows keyed by
 * {@code org} in PostgreSQL with {@code store: {kind: postgres}}, so any node sharing the store can
 * resume the org exactly where another left it. The processed journal and the LoginHistory cursor
 * stay in {@code stateDir} either way.
 *
 * <p><b>Fencing.</b> A node that processes an org under a lease (table {@code org_lease}) passes
 * the lease's {@link Fence} before starting the org's engine:
 *
 * <pre>
 * LeakwatchEngine.start(orgConfig.settings(pack, sinks).withFence(new Fence(org, token)));
 * </pre>
 *
 * Every write of the org's checkpoint, ledger entries and learned state is then made only while the
 * lease still carries that token; a refused write raises {@link
 * io.leakwatch.store.FencedOffException}, which stops the org's processing and delivery on this
 * node ({@link LeakwatchEngine#onFencedOff}). Without a fence (one node) writes are unconditional.
 * A fence needs the PostgreSQL store: the engine refuses to start with one on files.
 *
 * @param stateDir where checkpoints, learned state, the alert ledger and the processed journal live
 *     (with PostgreSQL: the journal and LoginHistory cursor only); null keeps nothing (demos,
 *     tests)
 * @param fallback where to start when the stored position is rejected (EARLIEST re-reads what is
 *     retained, LATEST skips to now); the gap is recorded as an alert either way
 * @param resumeHorizonMillis how far behind the last processed event a restart resumes, so windows
 *     are rebuilt; at least the longest window of the rule pack
 * @param staleAfterMillis a stream with no response (events or keepalive) for this long is presumed
 *     dead and reopened
 * @param journalProcessed whether to record every processed event's ids (forensics, tests)
 * @param reconnectCeilingMillis the longest wait between two attempts to reopen a stream; a stream
 *     is back at most this long (plus the connection time) after its server is
 * @param store the configured store; state lives in PostgreSQL when it is one, else in files (null:
 *     files)
 * @param org the org's name: its key in a shared store (null with files)
 * @param fence the lease this node writes the org's state under, or null (unconditional writes)
 */
public record Durability(
    Path stateDir,
    ReplayStart fallback,
    long resumeHorizonMillis,
    long staleAfterMillis,
    boolean journalProcessed,
    long reconnectCeilingMillis,
    StoreSettings store,
    String org,
    Fence fence) {
  public static final long DEFAULT_HORIZON_MILLIS = 60 * 60_000L;

  /** Salesforce sends keepalives at most 270 s apart; a little more than that means dead. */
  public static final long DEFAULT_STALE_MILLIS = 300_000L;

  /** Reconnect attempts back off exponentially from half a second up to this. */
  public static final long DEFAULT_RECONNECT_CEILING_MILLIS = 30_000L;

  public Durability {
    if (reconnectCeilingMillis < 500) {
      throw new IllegalArgumentException(
          "reconnectCeilingMillis must be at least 500, was " + reconnectCeilingMillis);
    }
    if (fence != null && org != null && !fence.org().equals(org)) {
      throw new IllegalArgumentException(
          "the fence is for org " + fence.org() + ", not for org " + org);
    }
  }

  /** State in files in {@code stateDir}, no fence. */
  public Durability(
      Path stateDir,
      ReplayStart fallback,
      long resumeHorizonMillis,
      long staleAfterMillis,
      boolean journalProcessed,
      long reconnectCeilingMillis) {
    this(
        stateDir,
        fallback,
        resumeHorizonMillis,
        staleAfterMillis,
        journalProcessed,
        reconnectCeilingMillis,
        null,
        null,
        null);
  }

  /** With the default reconnect ceiling. */
  public Durability(
      Path stateDir,
      ReplayStart fallback,
      long resumeHorizonMillis,
      long staleAfterMillis,
      boolean journalProcessed) {
    this(
        stateDir,
        fallback,
        resumeHorizonMillis,
        staleAfterMillis,
        journalProcessed,
        DEFAULT_RECONNECT_CEILING_MILLIS);
  }

  public static Durability none() {
    return new Durability(
        null, ReplayStart.earliest(), DEFAULT_HORIZON_MILLIS, DEFAULT_STALE_MILLIS, false);
  }

  public boolean durable() {
    return stateDir != null;
  }

  /**
   * The same, keeping the org's checkpoint, ledger and learned state in {@code store} under the key
   * {@code org} when it is PostgreSQL (an embedded store keeps them in files, as before).
   */
  public Durability withStore(StoreSettings store, String org) {
    return keptIn(store, org, fence);
  }

  /**
   * The same, writing the org's state only while {@code fence} holds (null: unconditionally). The
   * fence's org must be this org; a fence needs the PostgreSQL store (checked at engine start).
   */
  public Durability withFence(Fence fence) {
    return keptIn(store, org, fence);
  }

  /** The same, with the org's state kept as given: the one copy of every other field. */
  private Durability keptIn(StoreSettings store, String org, Fence fence) {
    return new Durability(
        stateDir,
        fallback,
        resumeHorizonMillis,
        staleAfterMillis,
        journalProcessed,
        reconnectCeilingMillis,
        store,
        org,
        fence);
  }

  /** Whether the org's checkpoint, ledger and learned state live in PostgreSQL. */
  public boolean shared() {
    return store != null && store.kind() == StoreSettings.Kind.POSTGRES;
  }

  /**
   * Opens the org's state in the PostgreSQL store, under the fence if there is one (migrating the
   * store's schema if needed); null when the org's state lives in files.
   *
   * @throws io.leakwatch.store.StoreException when the store cannot be reached or migrated
   */
  public SharedOrgState openShared() {
    return shared() ? SharedOrgState.open(store, org, fence) : null;
  }

  /**
   * Where the org's checkpoint lives: its rows in {@code shared} (what {@link #openShared}
   * returned) or the state folder's file.
   */
  public Checkpoints checkpoints(SharedOrgState shared) {
    return shared() ? opened(shared).checkpoints() : new CheckpointStore(checkpointFile());
  }

  /** Where the org's delivered-alert ledger lives, as {@link #checkpoints}; a file is opened. */
  public DeliveryLedger ledger(SharedOrgState shared) throws IOException {
    return shared() ? opened(shared).ledger() : new AlertLedger(ledgerFile());
  }

  /** Where the org's learned state lives, as {@link #checkpoints}. */
  public LearnedStateStore learnedState(SharedOrgState shared) {
    return shared() ? opened(shared).learnedState() : new LearnedStateFile(learnedStateFile());
  }

  private static SharedOrgState opened(SharedOrgState shared) {
    return Objects.requireNonNull(shared, "the org's state in the PostgreSQL store is not open");
  }

  /** Where the org's state lives, for {@code config check} and start-up; never a password. */
  public String describeState() {
    if (!durable()) {
      return "not kept";
    }
    if (shared()) {
      return "checkpoint, alert ledger and learned state in "
          + store.describe()
          + " (key "
          + org
          + (fence == null ? "" : ", fenced by lease token " + fence.token())
          + "); processed journal and LoginHistory cursor in "
          + stateDir;
    }
    return stateDir + " (checkpoint, alert ledger, learned state)";
  }

  public Path checkpointFile() {
    return stateDir.resolve("checkpoint.json");
  }

  public Path ledgerFile() {
    return stateDir.resolve("delivered-alerts.txt");
  }

  /** The durable tables of the rules and the positions they are consistent with. */
  public Path learnedStateFile() {
    return stateDir.resolve("learned-state.json");
  }

  public Path journalFile() {
    return stateDir.resolve("processed-events.log");
  }
}
