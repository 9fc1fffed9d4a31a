package io.leakwatch.store;

import java.io.IOException;

/**
 * One org's checkpoint, delivered-alert ledger and learned state in the shared PostgreSQL store,
 * keyed by the org's name, written under its {@link Fence} when one is given.
 */
public final class SharedOrgState implements AutoCloseable {
  private final PostgresCheckpoints checkpoints;
  private final PostgresLedger ledger;
  private final PostgresLearnedState learnedState;

  private SharedOrgState(StoreSettings settings, String org, Fence fence) {
    // A connection each, so detection (learned state) never waits for delivery (ledger,
    // checkpoint).
    this.checkpoints =
        new PostgresCheckpoints(new StateDatabase(settings, org, fence, "checkpoint"));
    this.ledger =
        new PostgresLedger(new StateDatabase(settings, org, fence, "delivered-alert ledger"));
    this.learnedState =
        new PostgresLearnedState(new StateDatabase(settings, org, fence, "learned state"));
  }

  /**
   * Opens {@code org}'s state in {@code settings}' store, migrating its schema if needed.
   *
   * @param fence the lease to write under, or null (unconditional writes)
   * @throws StoreException when the store cannot be reached or migrated (names it, never its
   *     password)
   */
  public static SharedOrgState open(StoreSettings settings, String org, Fence fence) {
    if (settings.kind() != StoreSettings.Kind.POSTGRES) {
      throw new IllegalArgumentException("an org's state is shared only in a PostgreSQL store");
    }
    if (org == null) {
      throw new IllegalArgumentException("an org's state in a shared store needs the org's name");
    }
    if (fence != null && !fence.org().equals(org)) {
      throw new IllegalArgumentException(
          "the fence is for org " + fence.org() + ", not for org " + org);
    }
    Schema.migrateOnce(settings);
    return new SharedOrgState(settings, org, fence);
  }

  /**
   * Fails now, rather than at the first write, when the fence given no longer holds.
   *
   * @throws FencedOffException when another node holds the org's lease
   * @throws IOException when the store cannot be reached
   */
  public void checkFence() throws IOException {
    checkpoints.checkFence();
  }

  public PostgresCheckpoints checkpoints() {
    return checkpoints;
  }

  public PostgresLedger ledger() {
    return ledger;
  }

  public PostgresLearnedState learnedState() {
    return learnedState;
  }

  @Override
  public void close() throws IOException {
    checkpoints.close();
    ledger.close();
    learnedState.close();
  }
}
