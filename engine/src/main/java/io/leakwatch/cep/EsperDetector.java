package io.leakwatch.cep;

import com.espertech.esper.common.client.EventBean;
import com.espertech.esper.common.client.EventType;
import com.espertech.esper.compiler.client.EPCompileException;
import com.espertech.esper.compiler.client.EPCompileExceptionItem;
import com.espertech.esper.runtime.client.EPDeployException;
import com.espertech.esper.runtime.client.EPDeployment;
import com.espertech.esper.runtime.client.EPRuntime;
import com.espertech.esper.runtime.client.EPRuntimeProvider;
import com.espertech.esper.runtime.client.EPStatement;
import com.espertech.esper.runtime.client.UpdateListener;
import io.leakwatch.decision.Detection;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.rulepack.RulePackException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The pack's EPL running in one Esper runtime on an external (event-time) clock.
 *
 * <p>Contract for rule authors: statements named {@code detection…} (via {@code @Name}) produce
 * detections. They must select {@code principal} (a user id) and may select {@code count}, {@code
 * objects}, {@code firstTime}, {@code lastTime}, {@code evidence} (EventIdentifiers) and {@code
 * stream} or {@code streams} (the channels the evidence came from; by default every stream the rule
 * draws on); every other column becomes a detection attribute. Listeners run on the sending thread.
 */
public final class EsperDetector implements AutoCloseable {
  private static final Set<String> KNOWN_COLUMNS =
      Set.of("principal", "count", "objects", "firstTime", "lastTime", "evidence");
  static final int MAX_EVIDENCE = 100;

  private final EPRuntime runtime;
  private final OrgContext org;
  private final Consumer<Detection> detections;
  private final EsperRules rules;
  private final DurableTables durable;
  private final RuleFailures failures = new RuleFailures();
  private final String uri = "leakwatch-" + UUID.randomUUID();
  private boolean started;
  private boolean restoring;
  // The time of the event being processed, to the millisecond: what a detection is stamped with.
  private long eventTime = Long.MIN_VALUE;

  /**
   * Esper's clock moves in whole seconds of event time. A sliding window schedules each event's
   * departure at its time plus the window's length: at millisecond steps nearly every departure is
   * a callback of its own, at whole seconds the events of one second leave together. Windows, rate
   * limits and timers are exact to the second (they are minutes to a day long); a detection keeps
   * the millisecond of the event that raised it.
   */
  static final long CLOCK_STEP_MILLIS = 1_000;

  /** Compiles the pack's EPL (errors name file and line) and deploys it, for a one-off detector. */
  public EsperDetector(RulePack pack, OrgContext org, Consumer<Detection> detections) {
    this(EsperRules.compile(pack), org, detections);
  }

  /**
   * Deploys already compiled rules into a fresh runtime: cheap, so tests and reloads can do it
   * often.
   */
  public EsperDetector(EsperRules rules, OrgContext org, Consumer<Detection> detections) {
    this.org = org;
    this.detections = detections;
    this.rules = rules;
    failures.register(uri, rules.rules().stream().map(EsperRules.Module::ruleId).toList());
    try {
      this.runtime = EPRuntimeProvider.getRuntime(uri, EsperRules.configuration(org));
    } catch (RuntimeException e) {
      RuleFailures.unregister(uri);
      throw e;
    }
    this.durable = new DurableTables(runtime);
    // The runtime's clock starts at the wall clock; rules run on event time, so it starts at 0
    // instead and jumps to the first event's time: a timer (every midnight) scheduled at
    // deployment then fires on event time from the first event on, and after a restore too.
    runtime.getEventService().advanceTime(0);
    try {
      for (EsperRules.Module shared : rules.shared()) {
        for (EPStatement statement : deploy(shared, null).getStatements()) {
          durable.consider(null, shared.origin(), statement);
        }
      }
      for (EsperRules.Module rule : rules.rules()) {
        EPDeployment deployment = deploy(rule, rule.ruleId());
        List<EPStatement> producing = new ArrayList<>();
        for (EPStatement statement : deployment.getStatements()) {
          durable.consider(rule.ruleId(), rule.origin(), statement);
          if (statement.getName().startsWith("detection")) {
            producing.add(statement);
          }
        }
        if (producing.isEmpty()) {
          throw RulePackException.at(
              rule.origin(),
              0,
              "no statement is named detection… (annotate the statement that finds the pattern with @Name('detection'))");
        }
        for (EPStatement statement : producing) {
          statement.addListener(listener(rule.ruleId(), statement));
        }
      }
    } catch (RuntimeException e) {
      RuleFailures.unregister(uri);
      runtime.destroy();
      throw e;
    }
  }

  private EPDeployment deploy(EsperRules.Module module, String deploymentId) {
    try {
      return deploymentId == null
          ? runtime.getDeploymentService().deploy(module.compiled())
          : runtime
              .getDeploymentService()
              .deploy(
                  module.compiled(),
                  new com.espertech.esper.runtime.client.DeploymentOptions()
                      .setDeploymentId(deploymentId));
    } catch (EPDeployException e) {
      throw RulePackException.at(module.origin(), 0, "EPL does not deploy: " + e.getMessage());
    }
  }

  static String describe(String origin, EPCompileException e) {
    if (e.getItems() == null || e.getItems().isEmpty()) {
      return origin + ": " + e.getMessage();
    }
    return e.getItems().stream()
        .map(item -> origin + lineOf(item) + ": " + firstLine(item.getMessage()))
        .distinct()
        .collect(Collectors.joining("\n"));
  }

  private static String lineOf(EPCompileExceptionItem item) {
    return item.getLineNumber() > 0 ? ":" + item.getLineNumber() : "";
  }

  private static String firstLine(String message) {
    int cut = message.indexOf(" [");
    return cut > 0 ? message.substring(0, cut) : message;
  }

  private UpdateListener listener(String ruleId, EPStatement statement) {
    String[] columns = statement.getEventType().getPropertyNames();
    if (!List.of(columns).contains("principal")) {
      throw new RulePackException(
          "rule "
              + ruleId
              + ": statement '"
              + statement.getName()
              + "' must select a 'principal' column");
    }
    return (newEvents, oldEvents, stmt, rt) -> {
      if (newEvents == null || restoring) {
        return;
      }
      long now = eventTime;
      for (EventBean row : newEvents) {
        try {
          detections.accept(toDetection(ruleId, row, columns, now));
        } catch (RuntimeException e) {
          // Esper would catch and only log it.
          failures.add(ruleId, "statement '" + stmt.getName() + "' output", e);
        }
      }
    };
  }

  private Detection toDetection(String ruleId, EventBean row, String[] columns, long now) {
    String principal = string(row.get("principal"));
    Map<String, Object> attributes = new LinkedHashMap<>();
    for (String column : columns) {
      if (!KNOWN_COLUMNS.contains(column)) {
        Object value = row.get(column);
        if (value instanceof Number || value instanceof Boolean || value instanceof String) {
          attributes.put(column, value);
        }
      }
    }
    attributes.putIfAbsent(Detection.STREAMS, streams(ruleId, attributes));
    long first = number(row, columns, "firstTime", now);
    long last = number(row, columns, "lastTime", now);
    return new Detection(
        ruleId,
        principal,
        org.integrationName(principal),
        number(row, columns, "count", 0),
        has(columns, "objects") ? string(row.get("objects")) : "",
        first,
        last,
        now,
        evidence(row, columns),
        Map.copyOf(attributes));
  }

  /**
   * The streams behind a detection: what the rule says it came from (a {@code stream} column, or a
   * {@code streams} column listing several), else every stream the rule draws on.
   */
  private String streams(String ruleId, Map<String, Object> attributes) {
    Object named = attributes.get("stream");
    if (named instanceof String stream && !stream.isBlank()) {
      return stream;
    }
    return String.join(",", rules.lineage().streams(ruleId));
  }

  private static boolean has(String[] columns, String name) {
    for (String column : columns) {
      if (column.equals(name)) {
        return true;
      }
    }
    return false;
  }

  private static long number(EventBean row, String[] columns, String name, long fallback) {
    if (!has(columns, name)) {
      return fallback;
    }
    return row.get(name) instanceof Number n ? n.longValue() : fallback;
  }

  private static String string(Object value) {
    return value == null ? "" : value.toString();
  }

  private static List<String> evidence(EventBean row, String[] columns) {
    if (!has(columns, "evidence")) {
      return List.of();
    }
    Object value = row.get("evidence");
    List<String> ids = new ArrayList<>();
    if (value instanceof Object[] array) {
      for (Object id : array) {
        if (id != null && ids.size() < MAX_EVIDENCE) {
          ids.add(id.toString());
        }
      }
    } else if (value instanceof Collection<?> collection) {
      for (Object id : collection) {
        if (id != null && ids.size() < MAX_EVIDENCE) {
          ids.add(id.toString());
        }
      }
    } else if (value != null) {
      ids.add(value.toString());
    }
    return List.copyOf(ids);
  }

  /** The declared event type for a name, or null if the pack declares none. */
  public EventType eventType(String name) {
    return runtime.getEventTypeService().getBusEventType(name);
  }

  /** Whether the pack marks any table durable (saved with the checkpoint). */
  public boolean hasDurableTables() {
    return !durable.isEmpty();
  }

  /** Each durable table's shape, by id ({@code ruleId/TableName}). */
  public Map<String, String> durableShapes() {
    return durable.shapes();
  }

  /** The rows of every durable table now, by id. */
  public Map<String, SavedTable> snapshot() {
    return durable.snapshot();
  }

  /**
   * Before the first event: sets the clock to {@code eventTime} (when the rows were saved) and
   * writes the saved rows back. Detections that the restored rows would trigger are not reported
   * again (they were when the rows first arrived). Returns the tables left empty, each with why.
   */
  public List<String> restore(long eventTime, Map<String, SavedTable> saved) {
    if (started) {
      throw new IllegalStateException("learned state is restored before the first event");
    }
    advanceTo(eventTime);
    restoring = true;
    try {
      return durable.restore(saved);
    } finally {
      restoring = false;
    }
  }

  public void send(MappedEvent event) {
    EventShape shape = event.shape();
    if (shape.objectArray()) {
      runtime.getEventService().sendEventObjectArray(event.values(), shape.typeName());
    } else {
      runtime.getEventService().sendEventMap(event.asMap(), shape.typeName());
    }
  }

  /**
   * Moves event time to {@code eventTime} and Esper's clock to its whole second; windows expire and
   * rate-limited outputs release on this.
   */
  public void advanceTo(long eventTime) {
    if (eventTime > this.eventTime || !started) {
      this.eventTime = eventTime;
    }
    long step = eventTime - Math.floorMod(eventTime, CLOCK_STEP_MILLIS);
    if (step > runtime.getEventService().getCurrentTime() || !started) {
      runtime.getEventService().advanceTime(step);
      started = true;
    }
  }

  /** The rules that threw since the last look; the pipeline accounts for each. */
  public RuleFailures failures() {
    return failures;
  }

  @Override
  public void close() {
    RuleFailures.unregister(uri);
    runtime.destroy();
  }
}
