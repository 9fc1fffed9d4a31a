package io.leakwatch.engine;

import com.espertech.esper.common.client.EventType;
import io.leakwatch.cep.BadEventException;
import io.leakwatch.cep.EsperDetector;
import io.leakwatch.cep.EventClock;
import io.leakwatch.cep.EventMapper;
import io.leakwatch.cep.MappedEvent;
import io.leakwatch.cep.OrgContext;
import io.leakwatch.cep.RuleFailures;
import io.leakwatch.cep.TopicTypes;
import io.leakwatch.checkpoint.LearnedState;
import io.leakwatch.decision.Alert;
import io.leakwatch.decision.Detection;
import io.leakwatch.decision.DroolsDecider;
import io.leakwatch.profile.OrgProfile;
import io.leakwatch.pubsub.ReceivedEvent;
import io.leakwatch.rulepack.RulePack;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The synchronous heart of the engine: event → Esper (on event time) → Drools → alerts. One thread
 * drives it; the Vert.x verticles, the benchmark and the tests all use this same class.
 */
public final class DetectionPipeline implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DetectionPipeline.class);
  private EsperDetector esper;
  private DroolsDecider decider;
  private final OrgProfile profile;
  private final OrgContext org;
  private final boolean drill;
  private final EventClock clock;
  private final DeadLetters deadLetters;
  private final PipelineStats stats = new PipelineStats();
  private final Map<String, EventMapper> mappers = new HashMap<>();
  private final Map<String, String> channelProblems = new HashMap<>();
  private final List<Detection> found = new ArrayList<>();
  private RulePack pack;
  private long watchedSince = Long.MIN_VALUE;
  private boolean restored;
  private OwedDeadLetter owed;

  private record OwedDeadLetter(ReceivedEvent event, String reason) {}

  public DetectionPipeline(RulePack pack, OrgProfile profile, Options options) {
    this(CompiledPack.compile(pack), profile, options);
  }

  /** A pipeline on an already compiled pack: milliseconds instead of seconds. */
  public DetectionPipeline(CompiledPack compiled, OrgProfile profile, Options options) {
    this.pack = compiled.pack();
    this.deadLetters = options.deadLetters();
    this.clock = new EventClock(options.idleAfterMillis());
    this.org = new OrgContext(profile);
    this.profile = profile;
    this.drill = options.drill();
    this.esper = new EsperDetector(compiled.epl(), org, found::add);
    try {
      this.decider =
          new DroolsDecider(
              compiled.pack(), compiled.drl(), options.drill(), profile.suppressions());
    } catch (RuntimeException e) {
      esper.close();
      throw e;
    }
  }

  /**
   * @param idleAfterMillis quiet wall time after which event time flows with the wall clock; 0
   *     never
   * @param drill whether alerts are drill alerts (never page anyone)
   */
  public record Options(long idleAfterMillis, boolean drill, DeadLetters deadLetters) {
    public static Options defaults() {
      return new Options(30_000, false, DeadLetters.none());
    }
  }

  public RulePack pack() {
    return pack;
  }

  public PipelineStats stats() {
    return stats;
  }

  public long eventTime() {
    return clock.now();
  }

  /**
   * Processes one event from a subscription; an event that cannot be processed is dead-lettered.
   */
  public List<Alert> process(ReceivedEvent event, long wallMillis) {
    stats.received(event.topic());
    if (!event.decoded()) {
      return deadLetter(event, event.failure());
    }
    stats.decoded(event.topic());
    String channelProblem = channelProblem(event.topic());
    if (channelProblem != null) {
      return deadLetter(event, channelProblem);
    }
    boolean custom = TopicTypes.isCustomChannel(event.topic());
    String schemaName = custom ? event.record().getSchema().getName() : null;
    EventMapper mapper = custom ? mapper(event.topic(), schemaName) : mapper(event.topic());
    if (mapper == null) {
      return deadLetter(
          event,
          custom
              ? "no event type "
                  + TopicTypes.typeFor(schemaName)
                  + " (the schema of this event on custom channel "
                  + event.topic()
                  + ") is declared in the rule pack"
              : TopicTypes.undeclared(event.topic()));
    }
    MappedEvent mapped;
    try {
      mapped = mapper.map(event.record());
    } catch (BadEventException e) {
      return deadLetter(event, e.getMessage());
    } catch (RuntimeException e) {
      return deadLetter(event, "cannot map record: " + e.getClass().getSimpleName());
    }
    Outcome outcome =
        run(event.topic(), event.eventId(), mapped, event.receivedNanos(), wallMillis);
    if (outcome.failure() != null) {
      writeDeadLetter(event, outcome.failure());
    }
    return outcome.alerts();
  }

  /**
   * What running one event through the rules gave: the alerts decided, and why the event is a dead
   * letter (a rule threw on it), or null when every rule took it.
   */
  private record Outcome(List<Alert> alerts, String failure) {}

  /**
   * Runs one mapped event through the rules and counts it processed or dead-lettered. A rule that
   * throws loses only its own finding: the other rules' alerts are real and go out, and the event
   * is a dead letter naming the rule, to be replayed once the rule is fixed.
   */
  private Outcome run(
      String topic, String eventId, MappedEvent mapped, long receivedNanos, long wallMillis) {
    List<Alert> alerts;
    try {
      alerts = processMapped(mapped, receivedNanos, wallMillis);
    } catch (RuntimeException e) {
      // What Esper and the decisions did not catch themselves (a function that throws inside a
      // filter fails the whole event). Never the message: it may quote a field's value.
      found.clear();
      List<RuleFailures.Failure> failed = unattributed(e);
      counted(failed, eventId);
      stats.deadLettered(topic);
      return new Outcome(List.of(), "rule evaluation failed: " + failed);
    }
    List<RuleFailures.Failure> failed = esper.failures().drain();
    if (failed.isEmpty()) {
      stats.processed(topic);
      return new Outcome(alerts, null);
    }
    counted(failed, eventId);
    stats.deadLettered(topic);
    return new Outcome(alerts, partly(failed));
  }

  /**
   * The failures recorded before {@code e} left Esper or the decisions, and {@code e} itself, which
   * names no rule: Esper throws it out of a filter or a step of its clock.
   */
  private List<RuleFailures.Failure> unattributed(RuntimeException e) {
    esper.failures().add("unattributed", "a filter or a step of event time", e);
    return esper.failures().drain();
  }

  /** The dead letter's reason for an event some rules threw on. */
  private static String partly(List<RuleFailures.Failure> failed) {
    return "rule evaluation failed: "
        + failed.stream().map(RuleFailures.Failure::toString).distinct().toList()
        + "; the other rules processed the event and their alerts were delivered";
  }

  /**
   * Counts each failure and logs the first of each rule and then every tenfold, with ids and class
   * names only: a rule that throws on every event must not flood the log.
   */
  private void counted(List<RuleFailures.Failure> failed, String eventId) {
    for (RuleFailures.Failure failure : failed) {
      long times = stats.ruleFailed(failure.ruleId());
      if (times == 1 || isPowerOfTen(times)) {
        LOG.error(
            "rule {} failed ({}) on event {}, {} time(s) so far: its findings on those events are"
                + " missing (see the dead letters and leakwatch_rule_failures_total)",
            failure.ruleId(),
            failure.exception() + " in " + failure.where(),
            eventId == null ? "(a step of event time)" : eventId,
            times);
      }
    }
  }

  private static boolean isPowerOfTen(long n) {
    while (n >= 10 && n % 10 == 0) {
      n /= 10;
    }
    return n == 1;
  }

  /**
   * Processes one event given as Salesforce field names and values (a JSON replay, a rule test). An
   * event that cannot be processed (a channel no rule reads, no EventDate, a date-time without
   * offset, text in a number field, a rule that throws) is counted as dead-lettered and refused
   * with a {@link BadEventException} giving the reason, for the caller to report with its line.
   */
  public List<Alert> process(String topic, Map<String, ?> rawFields, long wallMillis) {
    stats.received(topic);
    String channelProblem = TopicTypes.problem(topic);
    EventMapper mapper = channelProblem == null ? mapper(topic) : null;
    if (mapper == null) {
      throw refused(topic, channelProblem != null ? channelProblem : TopicTypes.undeclared(topic));
    }
    MappedEvent mapped;
    try {
      mapped = mapper.fromFields(rawFields);
    } catch (BadEventException e) {
      throw refused(topic, e.getMessage());
    }
    Outcome outcome =
        run(
            topic,
            Objects.toString(rawFields.get("EventIdentifier"), null),
            mapped,
            System.nanoTime(),
            wallMillis);
    if (outcome.failure() != null) {
      throw new BadEventException(outcome.failure(), outcome.alerts());
    }
    return outcome.alerts();
  }

  /**
   * Refuses a received event without processing it (one the merge would not trust): counted as
   * received and dead-lettered, written with its reason.
   */
  public void refuse(ReceivedEvent event, String reason) {
    stats.received(event.topic());
    deadLetter(event, reason);
  }

  private BadEventException refused(String topic, String reason) {
    found.clear();
    stats.deadLettered(topic);
    return new BadEventException(reason);
  }

  private List<Alert> processMapped(MappedEvent event, long receivedNanos, long wallMillis) {
    // The mapper refuses an event without EventDate, so every event has its own time.
    boolean first = !clock.started();
    long now = clock.onEvent(event.eventDate(), wallMillis);
    if (first && !restored) {
      watchFrom(now);
    }
    esper.advanceTo(now);
    // What threw as time moved (a timer, a window closing) is not this event's doing: it is not
    // written as the event's dead letter.
    countClockStepFailures();
    esper.send(event);
    List<Alert> alerts = decideFound(receivedNanos);
    stats.latency(System.nanoTime() - receivedNanos);
    return alerts;
  }

  /** A heartbeat or keepalive: lets event time flow if the stream has been quiet long enough. */
  public List<Alert> onIdle(long wallMillis) {
    long now = clock.onIdle(wallMillis);
    if (now == Long.MIN_VALUE) {
      return List.of();
    }
    esper.advanceTo(now);
    List<Alert> alerts = decideFound(System.nanoTime());
    countClockStepFailures();
    return alerts;
  }

  /** Moves event time to {@code eventTime} (end of a replay), releasing what windows held back. */
  public List<Alert> advanceTo(long eventTime) {
    if (!clock.started()) {
      return List.of();
    }
    esper.advanceTo(clock.advanceTo(eventTime));
    List<Alert> alerts = decideFound(System.nanoTime());
    countClockStepFailures();
    return alerts;
  }

  /** After a step of event time (timers, windows closing): counts and logs what threw. */
  private void countClockStepFailures() {
    List<RuleFailures.Failure> failed = esper.failures().drain();
    if (!failed.isEmpty()) {
      counted(failed, null);
    }
  }

  private List<Alert> decideFound(long receivedNanos) {
    if (found.isEmpty()) {
      return List.of();
    }
    List<Alert> alerts = new ArrayList<>(found.size());
    for (Detection detection : found) {
      stats.detection(detection.ruleId());
      Alert alert;
      try {
        alert = decider.decide(detection, receivedNanos);
      } catch (RuntimeException e) {
        // One rule's decision that throws loses that finding only, never another rule's alert.
        esper.failures().add(detection.ruleId(), "decide.drl", e);
        continue;
      }
      if (alert != null) {
        stats.alert(alert.ruleId());
        alerts.add(alert);
      }
    }
    found.clear();
    return alerts;
  }

  private List<Alert> deadLetter(ReceivedEvent event, String reason) {
    found.clear();
    stats.deadLettered(event.topic());
    writeDeadLetter(event, reason);
    return List.of();
  }

  /**
   * Writes a dead letter; one the file refuses (a full disk) is owed instead of thrown: the event's
   * processing is done and its alerts go out, but its position must not be committed until the
   * letter is written ({@link #writeOwedDeadLetter}), and nothing after it is processed meanwhile.
   */
  private void writeDeadLetter(ReceivedEvent event, String reason) {
    try {
      deadLetters.write(event, reason);
    } catch (RuntimeException e) {
      owed = new OwedDeadLetter(event, reason);
      stats.deadLettersFailing(
          "dead letters cannot be written ("
              + e.getClass().getSimpleName()
              + (e.getCause() == null ? "" : ": " + e.getCause().getMessage())
              + "): processing waits at "
              + event.topic()
              + " event "
              + event.eventId());
      LOG.error("{}; tried again until it is written", stats.deadLetterProblem());
    }
  }

  /** Whether a dead letter the file refused waits to be written before anything else moves. */
  public boolean owesDeadLetter() {
    return owed != null;
  }

  /** Writes the owed dead letter again; true when none is owed any more. */
  public boolean writeOwedDeadLetter() {
    if (owed == null) {
      return true;
    }
    try {
      deadLetters.write(owed.event(), owed.reason());
    } catch (RuntimeException e) {
      return false;
    }
    LOG.info("dead letters written again; processing goes on");
    owed = null;
    stats.deadLettersFailing(null);
    return true;
  }

  /** What is wrong with a channel's name, or null: worked out once per channel. */
  private String channelProblem(String topic) {
    String problem = channelProblems.get(topic);
    if (problem == null) {
      problem = Objects.requireNonNullElse(TopicTypes.problem(topic), "");
      channelProblems.put(topic, problem);
    }
    return problem.isEmpty() ? null : problem;
  }

  private EventMapper mapper(String topic) {
    return mapper(topic, null);
  }

  /** The mapper for a channel, or for one event type on a custom channel ({@code schemaName}). */
  private EventMapper mapper(String topic, String schemaName) {
    String key = schemaName == null ? topic : topic + "#" + schemaName;
    EventMapper mapper = mappers.get(key);
    if (mapper == null) {
      EventType type = esper.eventType(TopicTypes.typeFor(schemaName == null ? topic : schemaName));
      if (type == null) {
        return null;
      }
      mapper = new EventMapper(type, org, topic);
      mappers.put(key, mapper);
    }
    return mapper;
  }

  /**
   * Swaps in a new rule pack between two events: nothing is dropped, counters and event time go on.
   * Windows start empty under the new rules, except durable tables, which carry over when their
   * shape is unchanged; open alerts and incidents carry over, so a reload neither re-pages nor
   * splits an incident. Returns the durable tables that start empty, each with why.
   */
  public List<String> reload(CompiledPack compiled) {
    EsperDetector newEsper = new EsperDetector(compiled.epl(), org, found::add);
    DroolsDecider newDecider;
    try {
      newDecider =
          new DroolsDecider(compiled.pack(), compiled.drl(), drill, profile.suppressions());
    } catch (RuntimeException e) {
      newEsper.close();
      throw e;
    }
    List<String> reset = List.of();
    if (clock.started()) {
      boolean carry = esper.hasDurableTables() || newEsper.hasDurableTables();
      try {
        if (carry) {
          reset =
              newEsper.restore(clock.now(), esper.hasDurableTables() ? esper.snapshot() : Map.of());
        } else {
          newEsper.advanceTo(clock.now());
        }
      } catch (RuntimeException e) {
        newEsper.close();
        newDecider.close();
        throw e;
      }
      newDecider.advanceTo(clock.now());
      // Learned days carry over only when every learned table did.
      if (!(carry && esper.hasDurableTables() && reset.isEmpty())) {
        watchFrom(clock.now());
      }
    }
    newDecider.continueFrom(decider);
    EsperDetector oldEsper = esper;
    DroolsDecider oldDecider = decider;
    esper = newEsper;
    decider = newDecider;
    pack = compiled.pack();
    mappers.clear();
    oldEsper.close();
    oldDecider.close();
    return reset;
  }

  private void watchFrom(long eventTime) {
    watchedSince = eventTime;
    org.watchFrom(eventTime);
  }

  /** Whether the pack marks any table durable, so learned state is worth saving. */
  public boolean keepsLearnedState() {
    return esper.hasDurableTables();
  }

  /**
   * Each durable table's shape by id; throws when one cannot be saved (a pack error, e.g. an
   * aggregation column).
   */
  public Map<String, String> durableShapes() {
    return esper.durableShapes();
  }

  /**
   * What the rules have learned now (the durable tables), with the topics' positions now: call it
   * between two events, with the positions of exactly the events processed so far.
   */
  public LearnedState learnedState(Map<String, LearnedState.Position> positions) {
    return new LearnedState(clock.now(), watchedSince, positions, esper.snapshot());
  }

  /**
   * Before the first event: puts saved learned state back (event time moves to when it was saved).
   * Returns the tables that start empty instead, each with why (a shape the pack changed since).
   */
  public List<String> restore(LearnedState state) {
    List<String> skipped = esper.restore(state.eventTime(), state.tables());
    watchFrom(state.watchedSince());
    // State without positions was learned from stored history (a seed), not watched up to now:
    // whole days are counted from the first event this engine sees, as on a fresh start.
    restored = !state.positions().isEmpty();
    return skipped;
  }

  /** Whether the pack declares an event type for this topic (any custom channel may carry one). */
  public boolean understands(String topic) {
    // A custom channel's events are typed one by one, by their schema's record name.
    return TopicTypes.isCustomChannel(topic) || esper.eventType(TopicTypes.typeFor(topic)) != null;
  }

  @Override
  public void close() {
    decider.close();
    esper.close();
    deadLetters.close();
  }
}
