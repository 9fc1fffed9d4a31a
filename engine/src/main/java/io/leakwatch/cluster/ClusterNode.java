package io.leakwatch.cluster;

import io.leakwatch.store.StoreSettings;
import java.util.UUID;

/**
 * This process as a cluster node: a member of the Vert.x cluster (Hazelcast) and the assignment
 * that runs its share of the orgs under leases in the shared store.
 */
public final class ClusterNode implements AutoCloseable {
  private final Membership membership;
  private final OrgAssignment assignment;

  private ClusterNode(Membership membership, OrgAssignment assignment) {
    this.membership = membership;
    this.assignment = assignment;
  }

  /** Joins the cluster and starts assigning; the orgs start once this node sees a quorum. */
  public static ClusterNode join(ClusterSettings settings, StoreSettings store, OrgEngines engines)
      throws Exception {
    return join(settings, store, engines, membership -> {});
  }

  /**
   * {@link #join(ClusterSettings, StoreSettings, OrgEngines)}, telling {@code joined} the live
   * membership before any org starts (a takeover asks it which nodes are gone).
   */
  public static ClusterNode join(
      ClusterSettings settings,
      StoreSettings store,
      OrgEngines engines,
      java.util.function.Consumer<Membership> joined)
      throws Exception {
    Membership membership = HazelcastMembership.join(settings);
    try {
      joined.accept(membership);
    } catch (RuntimeException e) {
      membership.close();
      throw e;
    }
    // The owner names this process, not only the node: a node restarted under the same name waits
    // for its previous incarnation's leases to expire like any other node would.
    String owner = settings.nodeName() + "#" + UUID.randomUUID().toString().substring(0, 8);
    OrgAssignment assignment =
        new OrgAssignment(
            settings,
            membership,
            engines,
            new OrgLeases(store, owner),
            new OrgLeases(store, owner),
            System::nanoTime);
    return new ClusterNode(membership, assignment.start());
  }

  public OrgAssignment assignment() {
    return assignment;
  }

  /** Stops this node's orgs and releases their leases, then leaves the cluster. */
  @Override
  public void close() {
    try {
      assignment.close();
    } finally {
      membership.close();
    }
  }
}
