package io.leakwatch.response;

import io.leakwatch.decision.ResponseAction;

/**
 * Carries out response actions against an org. Blocking; called from the responder's own thread.
 */
public interface ActionExecutor {
  ActionOutcome execute(ResponseAction action, String userId);

  /**
   * What {@link #execute} would call, for dry runs and the audit log; names objects and fields,
   * never values.
   */
  String describe(ResponseAction action);
}
