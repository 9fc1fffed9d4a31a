package io.leakwatch.response;

import io.leakwatch.checkpoint.DeliveryLedger;
import java.io.IOException;

/**
 * Which response actions were already requested for the org, by this node or any other that owned
 * it. A node's own audit log remembers only its own requests: after a failover the new owner
 * processes the same events again, raises the same alerts (the delivery ledger keeps them single)
 * and, without a shared record, would end the same session or freeze the same user a second time. A
 * node that lost the org's lease must not act at all: the shared record is a fenced write, so its
 * claim is refused before anything reaches the audit log or Salesforce.
 */
public interface ActionClaims {
  /** One node alone: its audit log is the whole record. */
  ActionClaims NODE_LOCAL =
      new ActionClaims() {
        @Override
        public boolean claim(String actionId) {
          return true;
        }

        @Override
        public void settled(String actionId) {}
      };

  /**
   * About to request {@code actionId}: true when this node is to request it, false when a node did
   * already.
   *
   * @throws io.leakwatch.store.FencedOffException when this node no longer holds the org's lease
   * @throws IOException when the record cannot be read or written (the action is not requested)
   */
  boolean claim(String actionId) throws IOException;

  /**
   * Records the action as settled (ran, rejected or only audited), so no node requests it again. An
   * action claimed and never settled (its node was lost) is requested again by the next owner.
   */
  void settled(String actionId) throws IOException;

  /**
   * Claims kept in the org's delivery ledger of the shared store, beside its alerts' delivery keys
   * (a prefix keeps the two apart).
   */
  static ActionClaims in(DeliveryLedger ledger) {
    return new ActionClaims() {
      @Override
      public boolean claim(String actionId) throws IOException {
        return ledger.claim(key(actionId));
      }

      @Override
      public void settled(String actionId) throws IOException {
        ledger.record(key(actionId));
      }

      private static String key(String actionId) {
        return "response " + actionId;
      }
    };
  }
}
