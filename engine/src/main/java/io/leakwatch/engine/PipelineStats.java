package io.leakwatch.engine;

import io.leakwatch.metrics.LatencyHistogram;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters of one pipeline, safe to read from any thread while it runs. */
public final class PipelineStats {
  /** What the event-time merge can hold events back for, as metrics label it. */
  public static final List<String> MERGE_HOLD_REASONS =
      java.util.Arrays.stream(EventTimeMerger.Hold.values()).map(h -> h.label).toList();

  private final Map<String, LongAdder> received = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> processed = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> deadLettered = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> detections = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> alerts = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> ruleFailures = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> refusedAlerts = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> decoded = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> outOfOrder = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> mergeHolds = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> mergeWaitNanos = new ConcurrentHashMap<>();
  private final LatencyHistogram latency = new LatencyHistogram();

  void received(String topic) {
    add(received, topic);
  }

  void decoded(String topic) {
    add(decoded, topic);
  }

  /** From the event's arrival off the stream to the end of its detection and decision. */
  void latency(long nanos) {
    latency.recordNanos(nanos);
  }

  void processed(String topic) {
    add(processed, topic);
  }

  void deadLettered(String topic) {
    add(deadLettered, topic);
  }

  /** An event processed after a later one of another topic: the merge stopped waiting for it. */
  void outOfOrder(String topic) {
    add(outOfOrder, topic);
  }

  /** A look of the event-time merge that left events waiting, by what they waited for. */
  void mergeHeld(EventTimeMerger.Hold reason) {
    add(mergeHolds, reason.label);
  }

  /**
   * Time the detection worker was free while the event-time merge held events back, by what they
   * waited for.
   */
  void mergeWaited(EventTimeMerger.Hold reason, long nanos) {
    add(mergeWaitNanos, reason.label, nanos);
  }

  void detection(String ruleId) {
    add(detections, ruleId);
  }

  void alert(String ruleId) {
    add(alerts, ruleId);
  }

  /** A sink refused an alert of this rule for good (see {@code AlertRefusedException}). */
  void alertRefused(String ruleId) {
    add(refusedAlerts, ruleId);
  }

  private volatile String deadLetterProblem;

  /** Why dead letters cannot be written now (processing waits), or null when they can. */
  void deadLettersFailing(String problem) {
    deadLetterProblem = problem;
  }

  /** Why processing waits on a dead letter the file refused, or null: a readiness problem. */
  public String deadLetterProblem() {
    return deadLetterProblem;
  }

  /** A rule threw on an event or a step of the clock; returns how many times it has so far. */
  long ruleFailed(String ruleId) {
    add(ruleFailures, ruleId);
    return ruleFailures.get(ruleId).sum();
  }

  private static void add(Map<String, LongAdder> counters, String key) {
    add(counters, key, 1);
  }

  private static void add(Map<String, LongAdder> counters, String key, long amount) {
    // get first: computeIfAbsent locks the bin when the key is not its first node, on every call.
    LongAdder counter = counters.get(key);
    if (counter == null) {
      counter = counters.computeIfAbsent(key, k -> new LongAdder());
    }
    counter.add(amount);
  }

  public Map<String, Long> receivedByTopic() {
    return snapshot(received);
  }

  public Map<String, Long> processedByTopic() {
    return snapshot(processed);
  }

  public Map<String, Long> deadLetteredByTopic() {
    return snapshot(deadLettered);
  }

  public Map<String, Long> decodedByTopic() {
    return snapshot(decoded);
  }

  public Map<String, Long> outOfOrderByTopic() {
    return snapshot(outOfOrder);
  }

  /** Looks of the merge that left events waiting: idle-grace, quiet, down. */
  public Map<String, Long> mergeHoldsByReason() {
    return snapshot(mergeHolds);
  }

  /** {@link #mergeWaited} so far, in nanoseconds by reason. */
  public Map<String, Long> mergeWaitNanosByReason() {
    return snapshot(mergeWaitNanos);
  }

  public Map<String, Long> detectionsByRule() {
    return snapshot(detections);
  }

  public LatencyHistogram.Snapshot latency() {
    return latency.snapshot();
  }

  public Map<String, Long> alertsByRule() {
    return snapshot(alerts);
  }

  /** Alerts a sink refused for good (not retried there), by rule. */
  public Map<String, Long> refusedAlertsByRule() {
    return snapshot(refusedAlerts);
  }

  /** Times each rule threw (its EPL or its DRL); "shared" for the pack's shared EPL. */
  public Map<String, Long> ruleFailuresByRule() {
    return snapshot(ruleFailures);
  }

  public long totalReceived() {
    return total(received);
  }

  public long totalProcessed() {
    return total(processed);
  }

  public long totalDeadLettered() {
    return total(deadLettered);
  }

  public long totalAlerts() {
    return total(alerts);
  }

  private static Map<String, Long> snapshot(Map<String, LongAdder> counters) {
    Map<String, Long> out = new TreeMap<>();
    counters.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  private static long total(Map<String, LongAdder> counters) {
    return counters.values().stream().mapToLong(LongAdder::sum).sum();
  }
}
