package io.leakwatch.cep;

import com.espertech.esper.common.client.hook.exception.ExceptionHandler;
import com.espertech.esper.common.client.hook.exception.ExceptionHandlerFactory;
import com.espertech.esper.common.client.hook.exception.ExceptionHandlerFactoryContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rules that threw while one event (or one step of the clock) was processed. Esper catches what
 * a statement or a listener throws and would only log it, so the event would count as processed
 * with a rule silently missing; here each failure is kept for the pipeline to account for, naming
 * the rule, where it failed and the exception's class. Never the exception's message: it may quote
 * a field's value ("For input string: …").
 */
public final class RuleFailures {
  /** One rule that threw: its id (or "shared" for the pack's shared EPL), where, and what. */
  public record Failure(String ruleId, String where, String exception) {
    @Override
    public String toString() {
      return ruleId + " (" + exception + " in " + where + ")";
    }
  }

  // Esper builds its exception handler from a class name, per runtime: the runtime's URI finds the
  // detector's failures.
  private static final Map<String, RuleFailures> BY_RUNTIME = new ConcurrentHashMap<>();

  private final List<Failure> failures = new ArrayList<>();
  private final java.util.Set<String> ruleIds = new java.util.HashSet<>();

  public void add(String ruleId, String where, Throwable thrown) {
    failures.add(new Failure(ruleId, where, innermost(thrown).getClass().getSimpleName()));
  }

  /**
   * What a rule threw, under the wrapping Drools adds (a consequence's exception comes wrapped in
   * ConsequenceException); a chain is followed at most 20 deep, in case of a cycle.
   */
  private static Throwable innermost(Throwable thrown) {
    Throwable t = thrown;
    for (int depth = 0; depth < 20 && t.getCause() != null && t.getCause() != t; depth++) {
      t = t.getCause();
    }
    return t;
  }

  public boolean isEmpty() {
    return failures.isEmpty();
  }

  /** The failures since the last call, and forgets them. */
  public List<Failure> drain() {
    if (failures.isEmpty()) {
      return List.of();
    }
    List<Failure> out = List.copyOf(failures);
    failures.clear();
    return out;
  }

  /** Before the runtime is made: its statements deployed under a rule's id are that rule's. */
  void register(String runtimeUri, java.util.Collection<String> rules) {
    ruleIds.addAll(rules);
    BY_RUNTIME.put(runtimeUri, this);
  }

  static void unregister(String runtimeUri) {
    BY_RUNTIME.remove(runtimeUri);
  }

  /** Named in the runtime's configuration; hands each runtime the failures of its detector. */
  public static final class EsperHandler implements ExceptionHandlerFactory {
    @Override
    public ExceptionHandler getHandler(ExceptionHandlerFactoryContext context) {
      String uri = context.getRuntimeURI();
      return thrown -> {
        RuleFailures failures = BY_RUNTIME.get(uri);
        if (failures == null) {
          // Not a detector's runtime (a compile-only configuration): nothing runs there.
          return;
        }
        String deployment = thrown.getDeploymentId();
        String rule = failures.ruleIds.contains(deployment) ? deployment : "shared";
        failures.add(rule, "statement '" + thrown.getStatementName() + "'", thrown.getThrowable());
      };
    }
  }
}
