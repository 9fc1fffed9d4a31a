package io.leakwatch.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.leakwatch.alert.AlertsConfig;
import io.leakwatch.alert.SinkConfig;
import io.leakwatch.api.ApiConfig;
import io.leakwatch.binding.ConfigBinder;
import io.leakwatch.binding.ConfigException;
import io.leakwatch.binding.ConfigSource;
import io.leakwatch.cluster.ClusterSettings;
import io.leakwatch.engine.EngineSettings;
import io.leakwatch.store.StoreSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The process's YAML configuration: the orgs it watches, where alerts go, the HTTP API and where
 * state is kept. {@code ${NAME}} is replaced by the environment variable NAME, so secrets stay out
 * of the file. Relative paths resolve against the file's folder. Every problem is reported with the
 * file, the key and what is wrong, and never with a secret's value.
 *
 * <pre>
 * orgs:
 *   - name: acme-prod                 # letters, digits, '-' and '_'; names the org's state sub-folder
 *     endpoint: {host: api.pubsub.salesforce.com, port: 7443}   # trustCertificate: PEM, optional
 *     auth: {accessToken: ${SF_ACCESS_TOKEN}, instanceUrl: https://acme.my.salesforce.com, tenantId: 00D...}
 *     # or  auth: {type: jwt, loginUrl: https://login.salesforce.com, clientId: ..., username: ..., privateKey: key.pem}
 *     # or  auth: {type: clientCredentials, loginUrl: https://acme.my.salesforce.com, clientId: ..., clientSecret: ${SECRET}}
 *     topics: [/event/ApiEventStream, /event/LoginEventStream]
 *     replay: latest            # first start only; later starts resume from the checkpoint
 *     replayFallback: earliest  # when the checkpoint is rejected (a gap alert is raised either way)
 *     staleAfterSeconds: 300    # reopen a stream silent this long
 *     resumeHorizonMinutes: 60  # how far back a restart resumes to rebuild windows
 *     profile: org-profile.yaml
 *     rules: rules/             # optional: the file-wide rules, else the default pack
 *     drill: false
 * rules: rules/                 # optional: for orgs without their own
 * alerts: {console: true, jsonl: alerts.jsonl}
 * api: {host: 0.0.0.0, port: 8443, tokens: ['${LEAKWATCH_API_TOKEN}'], tls: {cert: api.pem, key: api-key.pem}}
 * deadLetters: dead-letters.jsonl   # with orgs:, each org writes dead-letters.NAME.jsonl beside it
 * state: state/                     # with orgs:, each org keeps state/NAME/
 * store: {kind: embedded}            # alert history (org state: files); or {kind: postgres, url: jdbc:postgresql://db/lw, user: lw, password: ${PGPASSWORD}}: alert history and every org's checkpoint, ledger, learned state
 * cluster: {node: lw-1, host: 10.0.0.11, members: [10.0.0.11:5701, 10.0.0.12:5701, 10.0.0.13:5701]}  # needs store: postgres
 * </pre>
 *
 * The single-org form of earlier versions, {@code org:} instead of {@code orgs:}, is still read:
 * one org named {@value #SINGLE_ORG_NAME} that keeps its state directly in {@code state/} and its
 * dead letters in the {@code deadLetters} file, exactly where that form kept them.
 */
public final class EngineConfig {
  public static final String SINGLE_ORG_NAME = "default";

  /** Events a subscription may hold delivered and unprocessed. */
  static final int MAX_BACKLOG = 1_000;

  /** How long a silent topic may hold back the event-time merge of the others. */
  static final long MAX_MERGE_WAIT_MILLIS = 2_000;

  /** The same for a drill org, unless configured: as long as an in-process drill waits. */
  static final long DRILL_MERGE_WAIT_MILLIS = 30_000;

  /** Quiet wall time after which event time flows with the wall clock. */
  static final long IDLE_AFTER_MILLIS = 30_000;

  private static final Pattern ORG_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");

  /** The file as written: each section bound to the record that owns it. */
  record Sections(
      OrgSection org,
      List<OrgSection> orgs,
      String rules,
      SinkConfig alerts,
      ApiSection api,
      String deadLetters,
      String state,
      StoreSection store,
      ClusterSection cluster) {}

  private final ConfigSource file;
  private final List<OrgConfig> orgs;
  private final SinkConfig sinks;
  private final ApiConfig api;
  private final Path state;
  private final Path deadLetters;
  private final StoreSettings store;
  private final ClusterSettings cluster;

  private EngineConfig(
      ConfigSource file,
      List<OrgConfig> orgs,
      SinkConfig sinks,
      ApiConfig api,
      Path state,
      Path deadLetters,
      StoreSettings store,
      ClusterSettings cluster) {
    this.file = file;
    this.store = store;
    this.cluster = cluster;
    this.orgs = List.copyOf(orgs);
    this.sinks = sinks;
    this.api = api;
    this.state = state;
    this.deadLetters = deadLetters;
  }

  public static EngineConfig load(Path file, Map<String, String> env) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException(file.toString(), null, "cannot read: " + e.getMessage());
    }
    return parse(text, file.toString(), file.toAbsolutePath().getParent(), env);
  }

  public static EngineConfig parse(
      String yaml, String source, Path baseDir, Map<String, String> env) {
    JsonNode root = ConfigBinder.read(yaml, source);
    if (root == null || !root.isObject()) {
      throw new ConfigException(source, null, "must be a YAML mapping");
    }
    Sections sections =
        ConfigBinder.bind(
            ConfigBinder.substitute(root, source, "", env), Sections.class, source, "");
    ConfigSource file = new ConfigSource(source, baseDir);
    Path rules = sections.rules() == null ? null : file.path(sections.rules(), "rules");
    Path deadLetters =
        sections.deadLetters() == null
            ? baseDir.resolve("dead-letters.jsonl")
            : file.path(sections.deadLetters(), "deadLetters");
    Path state =
        sections.state() == null ? baseDir.resolve("state") : file.path(sections.state(), "state");
    StoreSettings store =
        (sections.store() == null ? new StoreSection(null, null, null, null) : sections.store())
            .resolve(file, state);
    List<OrgConfig> orgs = new ArrayList<>();
    if (sections.org() != null && sections.orgs() != null) {
      throw file.problem("org", "give either org (one org) or orgs (a list), not both");
    } else if (sections.org() != null) {
      OrgSection org = sections.org();
      String name = org.name() == null ? SINGLE_ORG_NAME : file.required(org.name(), "org.name");
      orgs.add(org.resolve(file, "org", name, rules, deadLetters, state, store));
    } else if (sections.orgs() != null) {
      if (sections.orgs().isEmpty()) {
        throw file.problem("orgs", "must be a non-empty list of orgs, each with a name");
      }
      Set<String> names = new HashSet<>();
      for (int i = 0; i < sections.orgs().size(); i++) {
        String at = "orgs[" + i + "]";
        OrgSection org = file.required(sections.orgs().get(i), at);
        String name = file.required(org.name(), at + ".name");
        if (!ORG_NAME.matcher(name).matches()) {
          throw file.problem(
              at + ".name",
              "must be 1 to 63 letters, digits, '-' or '_', starting with a letter or digit (it names a folder), was '"
                  + name
                  + "'");
        }
        if (!names.add(name.toLowerCase(java.util.Locale.ROOT))) {
          throw file.problem(
              at + ".name",
              "org '" + name + "' is named twice; each org needs its own name and state");
        }
        orgs.add(
            org.resolve(
                file, at, name, rules, siblingFor(deadLetters, name), state.resolve(name), store));
      }
    } else {
      throw file.problem("orgs", "is required: the list of Salesforce orgs to watch");
    }
    SinkConfig sinks = sections.alerts() == null ? SinkConfig.CONSOLE : sections.alerts();
    ApiConfig api = sections.api() == null ? null : sections.api().resolve(file);
    ClusterSettings cluster =
        sections.cluster() == null ? null : sections.cluster().resolve(file, store);
    return new EngineConfig(file, orgs, sinks, api, state, deadLetters, store, cluster);
  }

  /** dead-letters.jsonl → dead-letters.NAME.jsonl, in the same folder. */
  private static Path siblingFor(Path file, String org) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String sibling =
        dot > 0 ? name.substring(0, dot) + "." + org + name.substring(dot) : name + "." + org;
    return file.resolveSibling(sibling);
  }

  /** The file this configuration was read from. */
  public String source() {
    return file.source();
  }

  public List<OrgConfig> orgs() {
    return orgs;
  }

  public AlertsConfig alerts() {
    return sinks.describe(file);
  }

  /**
   * Opens the alert sinks the {@code alerts:} key describes, shared by every org; the console sink
   * prints to {@code console}. The one place that turns the key into sinks.
   */
  public List<io.leakwatch.alert.AlertSink> openSinks(java.io.PrintStream console) {
    return sinks.open(file, console);
  }

  /**
   * Checks the alert sinks as {@link #openSinks} would open them, without opening a spool or file
   * or starting delivery: for {@code config check}, which may run beside an engine using them.
   */
  public void checkSinks() {
    sinks.check(file);
  }

  /** Each spooled sink's spool folder, by the sink's name; opens nothing. */
  public Map<String, Path> sinkSpools() {
    return sinks.spoolsByName(file);
  }

  /** The HTTP API's settings, or null when the file has no {@code api:} key. */
  public ApiConfig api() {
    return api;
  }

  /** Where the alert history lives: embedded in the state folder unless {@code store:} says. */
  public StoreSettings store() {
    return store;
  }

  /**
   * How this node joins the others, or null when it runs alone (no {@code cluster:} key): then it
   * watches every org.
   */
  public ClusterSettings cluster() {
    return cluster;
  }

  /** The state folder: with {@code orgs:}, each org keeps a sub-folder named after it. */
  public Path state() {
    return state;
  }

  public Path deadLetters() {
    return deadLetters;
  }

  /** What a run would do, one line per part; never a token, secret or key. */
  public List<String> summary() {
    AlertsConfig alerts = alerts();
    List<String> lines = new ArrayList<>();
    for (OrgConfig org : orgs) {
      lines.add(
          "org "
              + org.name()
              + ": "
              + org.endpoint().host()
              + ":"
              + org.endpoint().port()
              + ", "
              + org.auth());
      lines.add("  topics: " + String.join(", ", org.topics()));
      lines.add(
          "  replay: "
              + org.start()
              + " on first start, then from the checkpoint; "
              + org.durability().fallback()
              + " if the checkpoint is rejected; reopen after "
              + org.durability().staleAfterMillis() / 1000
              + " s of silence; a silent stream holds the others back for up to "
              + seconds(org.stallWaitMillis())
              + ", a reconnecting one for up to "
              + seconds(EngineSettings.reconnectingHoldMillis(org.stallWaitMillis())));
      lines.add("  profile: " + org.profile());
      lines.add(
          "  rules: "
              + (org.rules() == null
                  ? "the default pack"
                  : org.rules() + " (reloaded when it changes)"));
      lines.add(
          "  state: "
              + org.durability().describeState()
              + "; dead letters: "
              + org.deadLetters()
              + (org.drill() ? "; drill org" : ""));
      lines.add(
          "  response actions: "
              + (org.response().enabled()
                  ? org.response().mode().label()
                      + (org.response().actionModes().isEmpty()
                          ? ""
                          : " " + org.response().actionModes())
                      + ", audit log "
                      + org.response().auditLog()
                  : "off"));
      lines.add(
          "  LoginHistory poll: "
              + (org.loginHistory().enabled()
                  ? "every "
                      + org.loginHistory().interval().toSeconds()
                      + " s, reading "
                      + org.loginHistory().settle().toSeconds()
                      + " s before its cursor again; first start reads "
                      + org.loginHistory().lookback().toMinutes()
                      + " min back"
                  : "off"));
      if (org.loginHistory().enabled()) {
        lines.add(
            "  LoginHistory access: \"Manage Users\" or \"Monitor Login History\" checked at"
                + " start and every "
                + org.loginHistory().accessCheck().toSeconds()
                + " s");
      }
    }
    lines.add(
        "alerts: "
            + (alerts.console() ? "console" : "no console")
            + (alerts.jsonl() == null ? "" : ", JSON Lines " + alerts.jsonl())
            + (alerts.others().isEmpty() ? "" : ", " + String.join(", ", alerts.others())));
    lines.add(
        "api: "
            + (api == null ? "off" : api + (api.tls() ? ", certificate " + api.tlsCert() : "")));
    lines.add("store: " + store.describe() + ": " + store.holds());
    lines.add(
        "cluster: "
            + (cluster == null
                ? "off (this node watches every org)"
                : cluster.describe() + "; each org runs on one node at a time"));
    return lines;
  }

  /** "2 s", "60 s", "15 min": a wait as a person reads it. */
  static String seconds(long millis) {
    long s = millis / 1000;
    return s >= 120 && s % 60 == 0 ? s / 60 + " min" : s + " s";
  }
}
