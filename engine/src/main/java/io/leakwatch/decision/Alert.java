package io.leakwatch.decision;

import io.leakwatch.rulepack.Severity;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What Leakwatch tells people. Carries ids, counts, object names and times only; never a record
 * value, a SOQL text or a token. Made with {@link #builder()}; a changed copy with {@link
 * #toBuilder()}.
 *
 * @param id stable for the same detection, so a replay yields the same alert ids
 * @param principal the actor: the Salesforce user id whose activity the alert is about
 * @param subjects the users, sessions and connected apps the actor's activity involved
 * @param evidence the EventIdentifiers of the events behind it
 * @param streams the channels those events came from (e.g. {@code ApiEventStream})
 * @param decidedBy the DRL rules that set the severity; empty when the rule's default applied
 * @param receivedNanos wall clock ({@link System#nanoTime()}) when the triggering event arrived,
 *     for latency measurement; not serialized
 * @param revision 1 for a new alert; higher when a later finding escalated the same alert
 * @param incident the id of the first alert of the incident this one belongs to (another rule's
 *     alert on the same principal within 30 minutes of event time), or null
 * @param suppression why a suppression in the org profile silenced it, or null; a suppressed alert
 *     is still recorded, it just pages no one
 * @param responses the response actions decision rules requested against the principal; empty for
 *     none
 */
public record Alert(
    String id,
    String ruleId,
    String title,
    Severity severity,
    String principal,
    String integration,
    Subjects subjects,
    long count,
    String objects,
    long firstEventTime,
    long lastEventTime,
    long detectedAt,
    List<String> evidence,
    List<String> streams,
    List<String> reasons,
    List<String> decidedBy,
    List<String> attack,
    Map<String, List<String>> controls,
    boolean drill,
    long receivedNanos,
    int revision,
    String incident,
    String suppression,
    List<ResponseRequest> responses) {

  public Alert {
    subjects = subjects == null ? Subjects.NONE : subjects;
    streams = streams == null ? List.of() : List.copyOf(streams);
    responses = responses == null ? List.of() : List.copyOf(responses);
  }

  /** A builder with no detail set: empty lists, revision 1, no incident, suppression or drill. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding every detail of this alert, to make a changed copy. */
  public Builder toBuilder() {
    return new Builder()
        .id(id)
        .ruleId(ruleId)
        .title(title)
        .severity(severity)
        .principal(principal)
        .integration(integration)
        .subjects(subjects)
        .count(count)
        .objects(objects)
        .firstEventTime(firstEventTime)
        .lastEventTime(lastEventTime)
        .detectedAt(detectedAt)
        .evidence(evidence)
        .streams(streams)
        .reasons(reasons)
        .decidedBy(decidedBy)
        .attack(attack)
        .controls(controls)
        .drill(drill)
        .receivedNanos(receivedNanos)
        .revision(revision)
        .incident(incident)
        .suppression(suppression)
        .responses(responses);
  }

  /** Builds an {@link Alert}; see the record's components for what each detail means. */
  public static final class Builder {
    private String id;
    private String ruleId;
    private String title;
    private Severity severity;
    private String principal;
    private String integration;
    private Subjects subjects = Subjects.NONE;
    private long count;
    private String objects;
    private long firstEventTime;
    private long lastEventTime;
    private long detectedAt;
    private List<String> evidence = List.of();
    private List<String> streams = List.of();
    private List<String> reasons = List.of();
    private List<String> decidedBy = List.of();
    private List<String> attack = List.of();
    private Map<String, List<String>> controls = Map.of();
    private boolean drill;
    private long receivedNanos;
    private int revision = 1;
    private String incident;
    private String suppression;
    private List<ResponseRequest> responses = List.of();

    private Builder() {}

    public Builder id(String id) {
      this.id = id;
      return this;
    }

    public Builder ruleId(String ruleId) {
      this.ruleId = ruleId;
      return this;
    }

    public Builder title(String title) {
      this.title = title;
      return this;
    }

    public Builder severity(Severity severity) {
      this.severity = severity;
      return this;
    }

    public Builder principal(String principal) {
      this.principal = principal;
      return this;
    }

    public Builder integration(String integration) {
      this.integration = integration;
      return this;
    }

    public Builder subjects(Subjects subjects) {
      this.subjects = subjects;
      return this;
    }

    public Builder count(long count) {
      this.count = count;
      return this;
    }

    public Builder objects(String objects) {
      this.objects = objects;
      return this;
    }

    public Builder firstEventTime(long firstEventTime) {
      this.firstEventTime = firstEventTime;
      return this;
    }

    public Builder lastEventTime(long lastEventTime) {
      this.lastEventTime = lastEventTime;
      return this;
    }

    public Builder detectedAt(long detectedAt) {
      this.detectedAt = detectedAt;
      return this;
    }

    public Builder evidence(List<String> evidence) {
      this.evidence = evidence;
      return this;
    }

    public Builder streams(List<String> streams) {
      this.streams = streams;
      return this;
    }

    public Builder reasons(List<String> reasons) {
      this.reasons = reasons;
      return this;
    }

    public Builder decidedBy(List<String> decidedBy) {
      this.decidedBy = decidedBy;
      return this;
    }

    public Builder attack(List<String> attack) {
      this.attack = attack;
      return this;
    }

    public Builder controls(Map<String, List<String>> controls) {
      this.controls = controls;
      return this;
    }

    public Builder drill(boolean drill) {
      this.drill = drill;
      return this;
    }

    public Builder receivedNanos(long receivedNanos) {
      this.receivedNanos = receivedNanos;
      return this;
    }

    public Builder revision(int revision) {
      this.revision = revision;
      return this;
    }

    public Builder incident(String incident) {
      this.incident = incident;
      return this;
    }

    public Builder suppression(String suppression) {
      this.suppression = suppression;
      return this;
    }

    public Builder responses(List<ResponseRequest> responses) {
      this.responses = responses;
      return this;
    }

    /**
     * @throws NullPointerException when the id, rule id or severity is missing
     * @throws IllegalArgumentException when the revision is below 1
     */
    public Alert build() {
      Objects.requireNonNull(id, "an alert needs an id");
      Objects.requireNonNull(ruleId, "an alert needs a rule id");
      Objects.requireNonNull(severity, "an alert needs a severity");
      if (revision < 1) {
        throw new IllegalArgumentException("an alert's revision starts at 1, got " + revision);
      }
      return new Alert(
          id,
          ruleId,
          title,
          severity,
          principal,
          integration,
          subjects,
          count,
          objects,
          firstEventTime,
          lastEventTime,
          detectedAt,
          evidence,
          streams,
          reasons,
          decidedBy,
          attack,
          controls,
          drill,
          receivedNanos,
          revision,
          incident,
          suppression,
          responses);
    }
  }

  /** What identifies this version of the alert: delivered once, whatever restarts replay. */
  public String deliveryKey() {
    return revision == 1 ? id : id + "#" + revision;
  }
}
