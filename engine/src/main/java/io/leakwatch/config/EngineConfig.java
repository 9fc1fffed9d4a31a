package io.leakwatch.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.leakwatch.api.ApiConfig;
import io.leakwatch.auth.AccessGrant;
import io.leakwatch.auth.AuthException;
import io.leakwatch.auth.JwtAssertion;
import io.leakwatch.auth.OAuthFlow;
import io.leakwatch.auth.TokenSource;
import io.leakwatch.auth.TrustedCertificates;
import io.leakwatch.engine.Durability;
import io.leakwatch.pubsub.PubSubEndpoint;
import io.leakwatch.pubsub.ReplayStart;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
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

  /** Quiet wall time after which event time flows with the wall clock. */
  static final long IDLE_AFTER_MILLIS = 30_000;

  /** Shortest API token accepted: a guessable token is no protection. */
  static final int MIN_TOKEN_LENGTH = 16;

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
  private static final Pattern ORG_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");
  private static final Set<String> ORG_KEYS =
      Set.of(
          "name",
          "endpoint",
          "auth",
          "topics",
          "replay",
          "replayFallback",
          "staleAfterSeconds",
          "resumeHorizonMinutes",
          "journalProcessed",
          "profile",
          "rules",
          "drill",
          "deadLetters",
          "response",
          "stallWaitSeconds");

  private final String source;
  private final List<OrgConfig> orgs;
  private final AlertsConfig alerts;
  private final ApiConfig api;
  private final Path state;
  private final Path deadLetters;

  /**
   * The raw alerts: key and what resolving it needs, for the sink configuration to read at open
   * time.
   */
  private final JsonNode alertsNode;

  private final Path baseDir;
  private final Map<String, String> env;

  private EngineConfig(
      String source,
      List<OrgConfig> orgs,
      AlertsConfig alerts,
      ApiConfig api,
      Path state,
      Path deadLetters,
      JsonNode alertsNode,
      Path baseDir,
      Map<String, String> env) {
    this.source = source;
    this.alertsNode = alertsNode;
    this.baseDir = baseDir;
    this.env = Map.copyOf(env);
    this.orgs = List.copyOf(orgs);
    this.alerts = alerts;
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
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new ConfigException(source, null, "not valid YAML: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new ConfigException(source, null, "must be a YAML mapping");
    }
    Reader r = new Reader(source, baseDir, env);
    r.keys(root, "", Set.of("org", "orgs", "rules", "alerts", "api", "deadLetters", "state"));
    Path rules = root.has("rules") ? r.path(root, "rules") : null;
    Path deadLetters =
        root.has("deadLetters")
            ? r.path(root, "deadLetters")
            : baseDir.resolve("dead-letters.jsonl");
    Path state = root.has("state") ? r.path(root, "state") : baseDir.resolve("state");
    List<OrgConfig> orgs = new ArrayList<>();
    if (root.has("org") && root.has("orgs")) {
      throw new ConfigException(
          source, "org", "give either org (one org) or orgs (a list), not both");
    } else if (root.has("org")) {
      orgs.add(org(r, r.object(root, "org"), "org", SINGLE_ORG_NAME, rules, deadLetters, state));
    } else if (root.has("orgs")) {
      JsonNode list = r.field(root, "orgs");
      if (!list.isArray() || list.isEmpty()) {
        throw new ConfigException(
            source, "orgs", "must be a non-empty list of orgs, each with a name");
      }
      Set<String> names = new HashSet<>();
      for (int i = 0; i < list.size(); i++) {
        String at = "orgs[" + i + "]";
        JsonNode node = list.get(i);
        if (!node.isObject()) {
          throw new ConfigException(source, at, "must be a mapping");
        }
        String name = r.text(node, at + ".name");
        if (!ORG_NAME.matcher(name).matches()) {
          throw new ConfigException(
              source,
              at + ".name",
              "must be 1 to 63 letters, digits, '-' or '_', starting with a letter or digit (it names a folder), was '"
                  + name
                  + "'");
        }
        if (!names.add(name.toLowerCase(java.util.Locale.ROOT))) {
          throw new ConfigException(
              source,
              at + ".name",
              "org '" + name + "' is named twice; each org needs its own name and state");
        }
        orgs.add(org(r, node, at, name, rules, siblingFor(deadLetters, name), state.resolve(name)));
      }
    } else {
      throw new ConfigException(
          source, "orgs", "is required: the list of Salesforce orgs to watch");
    }
    AlertsConfig alerts = AlertsConfig.parse(root.get("alerts"), source, baseDir, env);
    ApiConfig api = root.has("api") ? api(r, r.object(root, "api")) : null;
    return new EngineConfig(
        source, orgs, alerts, api, state, deadLetters, root.get("alerts"), baseDir, env);
  }

  /** dead-letters.jsonl → dead-letters.NAME.jsonl, in the same folder. */
  private static Path siblingFor(Path file, String org) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String sibling =
        dot > 0 ? name.substring(0, dot) + "." + org + name.substring(dot) : name + "." + org;
    return file.resolveSibling(sibling);
  }

  private static OrgConfig org(
      Reader r,
      JsonNode org,
      String at,
      String name,
      Path globalRules,
      Path deadLetters,
      Path state) {
    r.keys(org, at, ORG_KEYS);
    if (at.equals("org") && org.has("name")) {
      name = r.text(org, at + ".name");
    }
    JsonNode endpoint = r.object(org, at + ".endpoint");
    r.keys(endpoint, at + ".endpoint", Set.of("host", "port", "trustCertificate"));
    int port = (int) r.number(endpoint, at + ".endpoint.port", 1, 65_535);
    PubSubEndpoint pubsub =
        new PubSubEndpoint(
            r.text(endpoint, at + ".endpoint.host"),
            port,
            endpoint.has("trustCertificate")
                ? r.file(endpoint, at + ".endpoint.trustCertificate")
                : null);
    JsonNode authNode = r.object(org, at + ".auth");
    TokenSource tokens = auth(r, authNode, at + ".auth");
    String auth = describeAuth(r, authNode, at + ".auth");
    List<String> topics = new ArrayList<>();
    JsonNode topicList = r.field(org, at + ".topics");
    if (!topicList.isArray() || topicList.isEmpty()) {
      throw new ConfigException(
          r.source(),
          at + ".topics",
          "must be a non-empty list of channels such as /event/ApiEventStream");
    }
    for (int i = 0; i < topicList.size(); i++) {
      JsonNode topic = topicList.get(i);
      if (!topic.isTextual() || !topic.asText().startsWith("/")) {
        throw new ConfigException(
            r.source(),
            at + ".topics[" + i + "]",
            "must be a channel such as /event/ApiEventStream");
      }
      if (topics.contains(topic.asText())) {
        throw new ConfigException(
            r.source(), at + ".topics[" + i + "]", topic.asText() + " is listed twice");
      }
      topics.add(topic.asText());
    }
    ReplayStart start = org.has("replay") ? r.preset(org, at + ".replay") : ReplayStart.latest();
    ReplayStart fallback =
        org.has("replayFallback") ? r.preset(org, at + ".replayFallback") : ReplayStart.earliest();
    long stale =
        org.has("staleAfterSeconds")
            ? r.number(org, at + ".staleAfterSeconds", 1, 86_400) * 1000
            : Durability.DEFAULT_STALE_MILLIS;
    long horizon =
        org.has("resumeHorizonMinutes")
            ? r.number(org, at + ".resumeHorizonMinutes", 0, 72 * 60) * 60_000
            : Durability.DEFAULT_HORIZON_MILLIS;
    boolean journal = r.flag(org, at + ".journalProcessed");
    // Longer: events stay in order on a CPU-starved host, at the cost of latency when a stream
    // stalls.
    long stallWait =
        org.has("stallWaitSeconds")
            ? r.number(org, at + ".stallWaitSeconds", 1, 300) * 1000
            : MAX_MERGE_WAIT_MILLIS;
    Path profile = r.file(org, at + ".profile");
    boolean drill = r.flag(org, at + ".drill");
    Path rules = org.has("rules") ? r.path(org, at + ".rules") : globalRules;
    Path orgDeadLetters = org.has("deadLetters") ? r.path(org, at + ".deadLetters") : deadLetters;
    io.leakwatch.response.ResponseSettings response =
        io.leakwatch.response.ResponseSettings.parse(
            org.get("response"), r.source(), at + ".response", r.env(), r.baseDir());
    return new OrgConfig(
        name,
        pubsub,
        tokens,
        auth,
        List.copyOf(topics),
        start,
        profile,
        drill,
        rules,
        orgDeadLetters,
        new Durability(state, fallback, horizon, stale, journal),
        response,
        stallWait);
  }

  /** static (a token you already have), jwt (JWT bearer) or clientCredentials. */
  private static TokenSource auth(Reader r, JsonNode auth, String at) {
    String type = auth.has("type") ? r.text(auth, at + ".type") : "static";
    switch (type) {
      case "static" -> {
        r.keys(auth, at, Set.of("type", "accessToken", "instanceUrl", "tenantId"));
        return TokenSource.fixed(
            new AccessGrant(
                r.text(auth, at + ".accessToken"),
                r.text(auth, at + ".instanceUrl"),
                r.text(auth, at + ".tenantId")));
      }
      case "jwt" -> {
        r.keys(
            auth,
            at,
            Set.of("type", "loginUrl", "clientId", "username", "privateKey", "trustCertificate"));
        Path keyFile = r.file(auth, at + ".privateKey");
        PrivateKey key;
        try {
          key = JwtAssertion.readKey(keyFile);
        } catch (AuthException e) {
          throw new ConfigException(r.source(), at + ".privateKey", e.getMessage());
        }
        return OAuthFlow.jwtBearer(
            r.text(auth, at + ".loginUrl"),
            r.text(auth, at + ".clientId"),
            r.text(auth, at + ".username"),
            new JwtAssertion(key, Clock.systemUTC()),
            r.http(auth, at));
      }
      case "clientCredentials" -> {
        r.keys(
            auth, at, Set.of("type", "loginUrl", "clientId", "clientSecret", "trustCertificate"));
        return OAuthFlow.clientCredentials(
            r.text(auth, at + ".loginUrl"),
            r.text(auth, at + ".clientId"),
            r.text(auth, at + ".clientSecret"),
            r.http(auth, at));
      }
      default ->
          throw new ConfigException(
              r.source(),
              at + ".type",
              "must be static, jwt or clientCredentials, was '" + type + "'");
    }
  }

  /**
   * The kind of credentials and the URL they are for; URLs are not secrets, tokens and keys are.
   */
  private static String describeAuth(Reader r, JsonNode auth, String at) {
    String type = auth.has("type") ? r.text(auth, at + ".type") : "static";
    return switch (type) {
      case "static" -> "static access token for " + r.text(auth, at + ".instanceUrl");
      case "jwt" -> "OAuth JWT bearer via " + r.text(auth, at + ".loginUrl");
      default -> "OAuth client credentials via " + r.text(auth, at + ".loginUrl");
    };
  }

  private static ApiConfig api(Reader r, JsonNode api) {
    r.keys(api, "api", Set.of("host", "port", "tokens", "tls"));
    String host = api.has("host") ? r.text(api, "api.host") : "127.0.0.1";
    int port = (int) r.number(api, "api.port", 0, 65_535);
    JsonNode list = r.field(api, "api.tokens");
    if (!list.isArray() || list.isEmpty()) {
      throw new ConfigException(
          r.source(),
          "api.tokens",
          "must be a non-empty list of bearer tokens, e.g. ['${LEAKWATCH_API_TOKEN}']");
    }
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String key = "api.tokens[" + i + "]";
      if (!list.get(i).isTextual()) {
        throw new ConfigException(r.source(), key, "must be a string");
      }
      // A secret file mounted into the environment often ends with a newline; it is not part of the
      // token.
      String token = substitute(list.get(i).asText(), r.source(), key, r.env()).strip();
      if (token.length() < MIN_TOKEN_LENGTH) {
        throw new ConfigException(
            r.source(),
            key,
            "must be at least " + MIN_TOKEN_LENGTH + " characters (a long random string)");
      }
      tokens.add(token);
    }
    Path cert = null;
    Path key = null;
    if (api.has("tls")) {
      JsonNode tls = r.object(api, "api.tls");
      r.keys(tls, "api.tls", Set.of("cert", "key"));
      cert = r.file(tls, "api.tls.cert");
      key = r.file(tls, "api.tls.key");
    }
    return new ApiConfig(host, port, tokens, cert, key);
  }

  /**
   * Replaces each {@code ${NAME}} in {@code raw}; an unset variable is an error naming the
   * variable.
   */
  static String substitute(String raw, String source, String key, Map<String, String> env) {
    Matcher m = ENV.matcher(raw);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = env.get(m.group(1));
      if (value == null) {
        throw new ConfigException(
            source, key, "environment variable " + m.group(1) + " is not set");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    if (out.toString().isBlank()) {
      throw new ConfigException(source, key, "must not be empty");
    }
    return out.toString();
  }

  /** The file this configuration was read from. */
  public String source() {
    return source;
  }

  public List<OrgConfig> orgs() {
    return orgs;
  }

  public AlertsConfig alerts() {
    return alerts;
  }

  /**
   * Opens the alert sinks the {@code alerts:} key describes, shared by every org; the console sink
   * prints to {@code console}. The one place that turns the key into sinks.
   */
  public List<io.leakwatch.alert.AlertSink> openSinks(java.io.PrintStream console) {
    return io.leakwatch.alert.SinkConfig.parse(alertsNode, source, baseDir, env, console);
  }

  /** The HTTP API's settings, or null when the file has no {@code api:} key. */
  public ApiConfig api() {
    return api;
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
              + " s of silence; a stalled"
              + " stream holds the others back for up to "
              + org.stallWaitMillis() / 1000
              + " s");
      lines.add("  profile: " + org.profile());
      lines.add(
          "  rules: "
              + (org.rules() == null
                  ? "the default pack"
                  : org.rules() + " (reloaded when it changes)"));
      lines.add(
          "  state: "
              + org.durability().stateDir()
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
    }
    lines.add(
        "alerts: "
            + (alerts.console() ? "console" : "no console")
            + (alerts.jsonl() == null ? "" : ", JSON Lines " + alerts.jsonl())
            + (alerts.others().isEmpty() ? "" : ", " + String.join(", ", alerts.others())));
    lines.add(
        "api: "
            + (api == null ? "off" : api + (api.tls() ? ", certificate " + api.tlsCert() : "")));
    return lines;
  }

  private record Reader(String source, Path baseDir, Map<String, String> env) {
    HttpClient http(JsonNode auth, String at) {
      return TrustedCertificates.httpClient(
          auth.has("trustCertificate") ? file(auth, at + ".trustCertificate") : null);
    }

    void keys(JsonNode node, String at, Set<String> known) {
      for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!known.contains(name)) {
          throw new ConfigException(
              source,
              at.isEmpty() ? name : at + "." + name,
              "unknown key (expected one of " + new TreeSet<>(known) + ")");
        }
      }
    }

    JsonNode field(JsonNode node, String key) {
      JsonNode value = node.get(last(key));
      if (value == null || value.isNull()) {
        throw new ConfigException(source, key, "is required");
      }
      return value;
    }

    JsonNode object(JsonNode node, String key) {
      JsonNode value = field(node, key);
      if (!value.isObject()) {
        throw new ConfigException(source, key, "must be a mapping");
      }
      return value;
    }

    String text(JsonNode node, String key) {
      JsonNode value = field(node, key);
      if (!value.isValueNode()) {
        throw new ConfigException(source, key, "must be a single value, not a list or mapping");
      }
      return substitute(value.asText(), source, key, env);
    }

    boolean flag(JsonNode node, String key) {
      JsonNode value = node.get(last(key));
      if (value == null || value.isNull()) {
        return false;
      }
      if (!value.isBoolean()) {
        throw new ConfigException(source, key, "must be true or false");
      }
      return value.asBoolean();
    }

    long number(JsonNode node, String key, long min, long max) {
      JsonNode value = field(node, key);
      if (!value.canConvertToLong()
          || !value.isIntegralNumber()
          || value.asLong() < min
          || value.asLong() > max) {
        throw new ConfigException(source, key, "must be a whole number from " + min + " to " + max);
      }
      return value.asLong();
    }

    ReplayStart preset(JsonNode node, String key) {
      String value = text(node, key);
      return switch (value) {
        case "latest" -> ReplayStart.latest();
        case "earliest" -> ReplayStart.earliest();
        default ->
            throw new ConfigException(
                source, key, "must be latest or earliest, was '" + value + "'");
      };
    }

    Path path(JsonNode node, String key) {
      return baseDir.resolve(text(node, key));
    }

    Path file(JsonNode node, String key) {
      Path path = path(node, key);
      if (!Files.isRegularFile(path)) {
        throw new ConfigException(source, key, "file " + path + " does not exist");
      }
      return path;
    }

    private static String last(String key) {
      int dot = key.lastIndexOf('.');
      return dot < 0 ? key : key.substring(dot + 1);
    }
  }
}
