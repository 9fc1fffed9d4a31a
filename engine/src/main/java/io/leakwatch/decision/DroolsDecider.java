package io.leakwatch.decision;

import io.leakwatch.profile.OrgProfile;
import io.leakwatch.rulepack.RuleDefinition;
import io.leakwatch.rulepack.RuleMetadata;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.rulepack.RulePackException;
import io.leakwatch.rulepack.Severity;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.drools.model.codegen.ExecutableModelProject;
import org.kie.api.KieBase;
import org.kie.api.KieServices;
import org.kie.api.builder.KieBuilder;
import org.kie.api.builder.KieFileSystem;
import org.kie.api.builder.Message;
import org.kie.api.conf.EventProcessingOption;
import org.kie.api.runtime.KieContainer;
import org.kie.api.runtime.KieSession;
import org.kie.api.runtime.KieSessionConfiguration;
import org.kie.api.runtime.conf.ClockTypeOption;
import org.kie.api.runtime.rule.FactHandle;
import org.kie.api.time.SessionPseudoClock;

/**
 * Turns detections into alerts by asking the pack's DRL rules, in two steps: each rule's {@code
 * decide.drl} says how serious a {@link Detection} is, then the pack-wide DRL (correlation) sees
 * the decided alert as a {@link Finding} and may fold it into an open alert or incident, or mark it
 * suppressed by the org profile. Runs in STREAM mode on a pseudo clock that follows event time, so
 * a replay decides exactly as the live run did. Not thread-safe: one decider per pipeline thread.
 */
public final class DroolsDecider implements AutoCloseable {
  private static final java.util.regex.Pattern PACKAGE =
      java.util.regex.Pattern.compile(
          "^\\s*package\\s+([\\w.]+)\\s*;?", java.util.regex.Pattern.MULTILINE);

  private final Map<String, RuleMetadata> metadata;
  private final KieSession session;
  private final SessionPseudoClock clock;
  private final Decisions decisions = new Decisions();
  private final AlertRevisions revisions = new AlertRevisions();
  private final boolean drill;
  private final List<OrgProfile.Suppression> fallbackSuppressions;

  public DroolsDecider(RulePack pack, boolean drill) {
    this(pack, compile(pack), drill, List.of());
  }

  /**
   * A session on an already compiled KieBase: cheap, one per pipeline. The org profile's
   * suppressions become facts the correlation rules match.
   */
  public DroolsDecider(
      RulePack pack, KieBase base, boolean drill, List<OrgProfile.Suppression> suppressions) {
    this.metadata =
        pack.rules().stream()
            .map(RuleDefinition::metadata)
            .collect(Collectors.toMap(RuleMetadata::id, Function.identity()));
    this.drill = drill;
    KieSessionConfiguration config = KieServices.get().newKieSessionConfiguration();
    config.setOption(ClockTypeOption.PSEUDO);
    this.session = base.newKieSession(config, null);
    boolean declaresDecisions =
        base.getKiePackages().stream()
            .flatMap(p -> p.getGlobalVariables().stream())
            .anyMatch(g -> g.getName().equals("decisions"));
    if (declaresDecisions) {
      this.session.setGlobal("decisions", decisions);
    }
    this.clock = session.getSessionClock();
    suppressions.forEach(session::insert);
    // A pack without pack-wide DRL (one written before correlation.drl) still honours the profile's
    // suppressions.
    this.fallbackSuppressions = pack.decisions().isEmpty() ? List.copyOf(suppressions) : List.of();
  }

  /**
   * Takes over what {@code previous} still has open (alerts that repeats would update, incidents,
   * alerts already raised), so a rules reload neither re-pages nor splits an incident.
   */
  public void continueFrom(DroolsDecider previous) {
    revisions.continueFrom(previous.revisions);
    previous
        .session
        .getObjects(o -> o instanceof OpenAlert || o instanceof OpenIncident)
        .forEach(session::insert);
  }

  /**
   * Compiles every decide.drl of the pack and its pack-wide DRL files into one KieBase; errors name
   * the file and line.
   */
  public static KieBase compile(RulePack pack) {
    return base(build(pack));
  }

  /**
   * The pack's DRL compiled to a kjar of executable-model classes ({@link #compile} without the
   * KieBase), which a compiled-pack cache can keep as bytes.
   */
  public static org.drools.compiler.kie.builder.impl.InternalKieModule build(RulePack pack) {
    KieServices services = KieServices.get();
    KieFileSystem files = services.newKieFileSystem();
    Map<String, String> originByPath = new java.util.HashMap<>();
    for (RuleDefinition rule : pack.rules()) {
      if (rule.drl() != null) {
        write(files, originByPath, rule.drl(), rule.folder());
      }
    }
    for (RuleDefinition.Source decisions : pack.decisions()) {
      String name =
          java.nio.file.Path.of(decisions.origin())
              .getFileName()
              .toString()
              .replaceFirst("\\.drl$", "");
      write(files, originByPath, decisions, "pack-" + name);
    }
    KieBuilder builder;
    try {
      builder = services.newKieBuilder(files).buildAll(ExecutableModelProject.class);
    } catch (RuntimeException e) {
      // Some mistakes (an expression the executable model cannot type) surface as exceptions, not
      // messages.
      throw new RulePackException(
          "DRL does not compile ("
              + String.join(", ", new java.util.TreeSet<>(originByPath.values()))
              + "): "
              + e.getClass().getSimpleName()
              + ": "
              + e.getMessage());
    }
    List<Message> errors = builder.getResults().getMessages(Message.Level.ERROR);
    if (!errors.isEmpty()) {
      String described =
          errors.stream()
              .map(
                  m ->
                      originByPath.getOrDefault(m.getPath(), m.getPath())
                          + (m.getLine() > 0 ? ":" + m.getLine() : "")
                          + ": "
                          + m.getText().strip())
              .collect(Collectors.joining("\n"));
      throw new RulePackException("DRL does not compile:\n" + described);
    }
    return (org.drools.compiler.kie.builder.impl.InternalKieModule) builder.getKieModule();
  }

  /** The STREAM-mode KieBase of a built (or cached) kjar. */
  public static KieBase base(org.drools.compiler.kie.builder.impl.InternalKieModule module) {
    KieServices services = KieServices.get();
    // A container of this very module, not of whatever the repository last stored under its
    // release id (every pack builds as the default release id).
    KieContainer container =
        new org.drools.compiler.kie.builder.impl.KieContainerImpl(
            java.util.UUID.randomUUID().toString(),
            new org.drools.compiler.kie.builder.impl.KieModuleKieProject(module),
            services.getRepository(),
            module.getReleaseId());
    org.kie.api.KieBaseConfiguration baseConfig = services.newKieBaseConfiguration();
    baseConfig.setOption(EventProcessingOption.STREAM);
    return container.newKieBase(baseConfig);
  }

  private static void write(
      KieFileSystem files,
      Map<String, String> originByPath,
      RuleDefinition.Source drl,
      String name) {
    // Drools expects a DRL's folder to match its package; the rule folder's name may not be a
    // package.
    java.util.regex.Matcher pkg = PACKAGE.matcher(drl.text());
    String dir = pkg.find() ? pkg.group(1).replace('.', '/') + "/" : "";
    String path = dir + name + ".drl";
    files.write("src/main/resources/" + path, drl.text().getBytes(StandardCharsets.UTF_8));
    originByPath.put(path, drl.origin());
  }

  /** Moves the session clock to {@code eventTime} (epoch millis); never backwards. */
  public void advanceTo(long eventTime) {
    long delta = eventTime - clock.getCurrentTime();
    if (delta > 0) {
      clock.advanceTime(delta, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Decides one detection and builds its alert; null when it only repeats an alert already raised
   * (same id, no higher severity). A detection that raises an earlier alert's severity, or that
   * says it revises its alert ({@link Detection#REVISES}), comes back as a new revision of it.
   */
  public Alert decide(Detection detection, long receivedNanos) {
    RuleMetadata rule = metadata.get(detection.ruleId());
    if (rule == null) {
      throw new IllegalArgumentException("detection from unknown rule " + detection.ruleId());
    }
    advanceTo(detection.detectedAt());
    decisions.reset();
    fire(detection);
    Severity severity = decisions.severity() == null ? rule.severity() : decisions.severity();
    List<String> reasons =
        decisions.severity() == null
            ? List.of("default severity of " + rule.id() + " (no decision rule matched)")
            : decisions.reasons();
    String id = revisions.alertIdOf(detection);
    AlertRevisions.Raised before = revisions.known(id);
    int revision =
        detection.flag(Detection.REVISES)
            ? revisions.revise(id, severity)
            : revisions.raise(id, severity);
    if (revision == 0) {
      return null;
    }
    Alert decided =
        Alert.builder()
            .id(id)
            .ruleId(rule.id())
            .title(rule.title())
            .severity(severity)
            .principal(detection.principal())
            .integration(detection.integration())
            .subjects(Subjects.of(detection.attributes()))
            .count(detection.count())
            .objects(detection.objects())
            .firstEventTime(detection.firstEventTime())
            .lastEventTime(detection.lastEventTime())
            .detectedAt(detection.detectedAt())
            .evidence(detection.evidence())
            .streams(detection.streams())
            .reasons(reasons)
            .decidedBy(decisions.decidedBy())
            .attack(rule.attack())
            .controls(rule.controls())
            .drill(drill)
            .receivedNanos(receivedNanos)
            .revision(revision)
            .responses(decisions.responses())
            .build();
    Alert out;
    try {
      out = correlate(decided);
    } catch (RuntimeException e) {
      // Not raised after all: the next finding about it must not count as a repeat of it.
      revisions.restore(id, before);
      throw e;
    }
    for (OrgProfile.Suppression suppression : fallbackSuppressions) {
      if (out.suppression() == null
          && suppression.matches(out.ruleId(), out.principal(), out.detectedAt())) {
        out = out.toBuilder().suppression(suppression.reason()).build();
      }
    }
    revisions.delivered(id, out);
    return out;
  }

  private Alert correlate(Alert decided) {
    Finding finding = new Finding(decided);
    fire(finding);
    // Correlation says whether the finding repeats an open alert; the revision that makes is ours.
    boolean repeat = !finding.getAlertId().equals(decided.id());
    return finding.applyTo(
        decided, repeat ? revisions.repeatOf(finding.getAlertId()) : decided.revision());
  }

  /**
   * Runs the rules on one fact and takes it out again, also when a rule throws: a fact left behind
   * would match every later decision.
   */
  private void fire(Object fact) {
    FactHandle handle = session.insert(fact);
    try {
      session.fireAllRules();
    } finally {
      session.delete(handle);
    }
  }

  @Override
  public void close() {
    session.dispose();
  }
}
