package io.leakwatch.decision;

import io.leakwatch.rulepack.Severity;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one owner of alert identity and revision numbers: which alert a detection is about, and which
 * revision of it a decided alert is. The pack's correlation rules only say that a finding repeats
 * an open alert; the number that repeat gets comes from here, so a rule escalation and a
 * correlation repeat of the same alert never hand out the same revision (which the delivery ledger
 * would drop as already delivered). Remembers the most recent 50,000 alerts, in memory: a restart
 * replays the same detections and so hands out the same ids and revisions again. Not thread-safe,
 * like the decider that owns it.
 */
final class AlertRevisions {
  private static final int REMEMBERED = 50_000;

  /** What is known of one raised alert: its highest severity and latest revision. */
  record Raised(Severity severity, int revision) {}

  /** Recently raised alerts by id, so a later finding about the same thing escalates or repeats. */
  private final Map<String, Raised> raised = recent();

  /** Alert ids correlation folded into another alert, by their own id. */
  private final Map<String, String> folded = recent();

  /**
   * The stream name alerts give the LoginHistory poll's rows: {@code TopicTypes.streamName} of its
   * source (written out: cep depends on decision, not the other way).
   */
  static final String POLL_STREAM = "LoginHistory";

  /**
   * Same rule, principal and first event: same id, however fast or often the events are replayed. A
   * rule that selects an {@code alertKey} column names the thing its findings are about, so every
   * finding with that key is the same alert (a signal and its later escalation).
   */
  static String ownId(Detection d) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      Object key = d.attributes().get("alertKey");
      String identity =
          key != null
              ? d.ruleId() + '\0' + "key" + '\0' + key
              : d.ruleId()
                  + '\0'
                  + d.principal()
                  + '\0'
                  + d.firstEventTime()
                  + '\0'
                  + identityTime(d)
                  + '\0'
                  + String.join(",", d.evidence());
      sha.update(identity.getBytes(StandardCharsets.UTF_8));
      return "lw-" + HexFormat.of().formatHex(sha.digest(), 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The time that tells two findings of one rule about the same events apart: when it was detected.
   * Not for the LoginHistory poll's rows: they are processed as late events, at whatever the
   * pipeline's time is then, so a row read again after a restart would be detected later and raise
   * an alert the ledger has never seen. Their last event's time (the row's LoginTime) stands in.
   */
  private static long identityTime(Detection d) {
    List<String> streams = d.streams();
    return !streams.isEmpty() && streams.stream().allMatch(POLL_STREAM::equals)
        ? d.lastEventTime()
        : d.detectedAt();
  }

  /**
   * The alert a detection is about: its own id, or the alert correlation folded that id into, so
   * the folded finding's escalation continues the alert it joined.
   */
  String alertIdOf(Detection detection) {
    String own = ownId(detection);
    return folded.getOrDefault(own, own);
  }

  /**
   * The revision a finding at {@code severity} makes of alert {@code id}, and now counts as raised:
   * 1 for an alert not raised before, the next revision when the severity is higher than any raised
   * so far. 0 when it only repeats what was raised (same or lower severity): nothing to deliver.
   */
  int raise(String id, Severity severity) {
    Raised before = raised.get(id);
    if (before != null && severity.compareTo(before.severity()) <= 0) {
      return 0;
    }
    int revision = before == null ? 1 : before.revision() + 1;
    raised.put(id, new Raised(severity, revision));
    return revision;
  }

  /**
   * What is known of alert {@code id} now (null: nothing), to {@link #restore} if deciding fails.
   */
  Raised known(String id) {
    return raised.get(id);
  }

  /**
   * Puts back what was known of alert {@code id} before a decision that failed part-way: the next
   * finding about it is raised as if that decision had not been made.
   */
  void restore(String id, Raised known) {
    if (known == null) {
      raised.remove(id);
    } else {
      raised.put(id, known);
    }
  }

  /**
   * The revision a finding that revises alert {@code id} (a rule that says so: an episode that
   * closed with more than its first read knew) makes: always the next one, at the highest severity
   * raised so far or {@code severity}.
   */
  int revise(String id, Severity severity) {
    Raised before = raised.get(id);
    if (before == null) {
      return raise(id, severity);
    }
    Severity highest = severity.compareTo(before.severity()) > 0 ? severity : before.severity();
    raised.put(id, new Raised(highest, before.revision() + 1));
    return before.revision() + 1;
  }

  /**
   * The revision a repeat of the open alert {@code openId} makes: the one after the latest raised,
   * whichever way (escalation or repeat) that one came.
   */
  int repeatOf(String openId) {
    Raised known = raised.get(openId);
    return known == null ? 1 : known.revision() + 1;
  }

  /**
   * Records the alert that leaves the decider for the detection first decided as {@code decidedId}:
   * its id now stands for the alert it was folded into, and that alert's revision and severity move
   * on (an incident may have raised the severity).
   */
  void delivered(String decidedId, Alert out) {
    if (!out.id().equals(decidedId)) {
      folded.put(decidedId, out.id());
    }
    Raised known = raised.get(out.id());
    if (known == null
        || out.revision() > known.revision()
        || out.severity().compareTo(known.severity()) > 0) {
      Severity highest =
          known == null || out.severity().compareTo(known.severity()) > 0
              ? out.severity()
              : known.severity();
      raised.put(
          out.id(),
          new Raised(highest, Math.max(out.revision(), known == null ? 0 : known.revision())));
    }
  }

  /** Takes over what {@code previous} knows, so a rules reload neither re-pages nor re-numbers. */
  void continueFrom(AlertRevisions previous) {
    raised.putAll(previous.raised);
    folded.putAll(previous.folded);
  }

  /** Least recently used first; the eldest goes past {@link #REMEMBERED}. */
  private static <V> Map<String, V> recent() {
    return new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > REMEMBERED;
      }
    };
  }
}
