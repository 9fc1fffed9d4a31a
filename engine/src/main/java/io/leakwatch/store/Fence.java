package io.leakwatch.store;

/**
 * The right to write one org's durable state in a shared store: the lease token this node was
 * granted for the org ({@code org_lease}). A write made under a fence changes nothing unless the
 * org's lease still carries this token, so a node that lost its lease (a long pause, a partition)
 * cannot overwrite what the org's new owner wrote.
 *
 * @param org the org's configured name
 * @param token the fencing token of the lease, increasing with every grant
 */
public record Fence(String org, long token) {
  /** The SQL condition a fenced write adds; binds org, then token. */
  public static final String HOLDS_LEASE =
      "EXISTS (SELECT 1 FROM org_lease WHERE org_lease.org = ? AND org_lease.token = ?)";
}
