package io.leakwatch.store;

import java.io.IOException;

/**
 * A write of an org's durable state was refused because this node no longer holds the org's lease:
 * another node was granted it (a newer fencing token) while this one paused or was cut off. Not a
 * fault to retry: the org's processing and alert delivery on this node stop, and the lease holder
 * carries on from what was last written under a valid lease.
 */
public final class FencedOffException extends IOException {
  private final String org;
  private final long token;

  public FencedOffException(Fence fence) {
    super(
        "org "
            + fence.org()
            + ": this node no longer holds the org's lease (fencing token "
            + fence.token()
            + " is stale); its writes are refused and its processing stops here");
    this.org = fence.org();
    this.token = fence.token();
  }

  /** The org whose lease was lost. */
  public String org() {
    return org;
  }

  /** The stale token the refused write carried. */
  public long token() {
    return token;
  }
}
