package io.leakwatch.checkpoint;

import java.io.IOException;

/**
 * Which alerts were already delivered, so that events processed again (after a restart, or on the
 * node that took an org over) never deliver an alert twice. Alerts carry the same delivery key when
 * raised again from the same events. A file in the org's state folder ({@link AlertLedger}) or rows
 * in the shared PostgreSQL store.
 *
 * <p>The alert worker calls {@link #claim} before the first sink and {@link #record} after the
 * last: a ledger shared by several nodes refuses the claim of a node that lost the org's lease, so
 * only the lease holder delivers.
 */
public interface DeliveryLedger extends AutoCloseable {
  /**
   * About to deliver: true when the alert is to be delivered, false when it already was.
   *
   * @throws io.leakwatch.store.FencedOffException when claimed under a lease this node lost
   */
  boolean claim(String deliveryKey) throws IOException;

  /**
   * Records the alert as delivered, durably, before its delivery counts as done.
   *
   * @throws io.leakwatch.store.FencedOffException when written under a lease this node lost
   */
  void record(String deliveryKey) throws IOException;

  /** Where it lives, for logs; never a password. */
  String describe();

  @Override
  void close() throws IOException;
}
