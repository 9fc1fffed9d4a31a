package io.leakwatch.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.leakwatch.alert.AlertSink;
import io.leakwatch.engine.DeadLetters;
import io.leakwatch.engine.Durability;
import io.leakwatch.engine.EngineSettings;
import io.leakwatch.profile.OrgProfileLoader;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.auth.AccessGrant;
import io.leakwatch.auth.AuthException;
import io.leakwatch.auth.JwtAssertion;
import io.leakwatch.auth.OAuthFlow;
import io.leakwatch.auth.TokenSource;
import io.leakwatch.auth.TrustedCertificates;
import java.net.http.HttpClient;
import java.security.PrivateKey;
import java.time.Clock;
import io.leakwatch.pubsub.PubSubEndpoint;
import io.leakwatch.pubsub.ReplayStart;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The engine's YAML configuration. {@code ${NAME}} is replaced by the environment variable NAME, so
 * secrets stay out of the file. Relative paths resolve against the file's folder.
 *
 * <pre>
 * org:
 *   endpoint: {host: api.pubsub.salesforce.com, port: 7443}   # trustCertificate: PEM, optional
 *   auth: {accessToken: ${SF_ACCESS_TOKEN}, instanceUrl: https://acme.my.salesforce.com, tenantId: 00D...}
 *   # or  auth: {type: jwt, loginUrl: https://login.salesforce.com, clientId: ..., username: ..., privateKey: key.pem}
 *   # or  auth: {type: clientCredentials, loginUrl: https://acme.my.salesforce.com, clientId: ..., clientSecret: ${SECRET}}
 *   topics: [/event/ApiEventStream, /event/LoginEventStream]
 *   replay: latest            # first start only; later starts resume from the checkpoint
 *   replayFallback: earliest  # when the checkpoint is rejected (a gap alert is raised either way)
 *   staleAfterSeconds: 300    # reopen a stream silent this long
 *   resumeHorizonMinutes: 60  # how far back a restart resumes to rebuild windows
 *   profile: org-profile.yaml
 *   drill: false
 * rules: rules/               # optional: the default pack otherwise
 * alerts: {console: true, jsonl: alerts.jsonl}
 * deadLetters: dead-letters.jsonl
 * state: state/               # checkpoints and the ledger of delivered alerts
 * </pre>
 */
public record EngineConfig(
    PubSubEndpoint endpoint, TokenSource tokens, List<String> topics, ReplayStart start, Path profile, boolean drill,
    Path rules, boolean consoleAlerts, Path alertsFile, Path deadLetters, Durability durability) {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  /** Events a subscription may hold delivered and unprocessed. */
  private static final int MAX_BACKLOG = 1_000;
  /** How long a silent topic may hold back the event-time merge of the others. */
  private static final long MAX_MERGE_WAIT_MILLIS = 2_000;
  /** Quiet wall time after which event time flows with the wall clock. */
  private static final long IDLE_AFTER_MILLIS = 30_000;

  /** The engine settings this configuration describes; loads the org profile. */
  public EngineSettings settings(RulePack pack, List<AlertSink> sinks) {
    return new EngineSettings(endpoint, tokens, topics, start, OrgProfileLoader.load(profile), pack, sinks,
        DeadLetters.toFile(deadLetters), drill, IDLE_AFTER_MILLIS, MAX_BACKLOG, MAX_MERGE_WAIT_MILLIS, durability);
  }
  private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

  public static EngineConfig load(Path file, Map<String, String> env) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException(file.toString(), null, "cannot read: " + e.getMessage());
    }
    return parse(text, file.toString(), file.toAbsolutePath().getParent(), env);
  }

  public static EngineConfig parse(String yaml, String source, Path baseDir, Map<String, String> env) {
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
    r.keys(root, "", Set.of("org", "rules", "alerts", "deadLetters", "state"));
    JsonNode org = r.object(root, "org");
    r.keys(org, "org", Set.of("endpoint", "auth", "topics", "replay", "replayFallback", "staleAfterSeconds", "resumeHorizonMinutes",
        "journalProcessed", "profile", "drill"));
    JsonNode endpoint = r.object(org, "org.endpoint");
    r.keys(endpoint, "org.endpoint", Set.of("host", "port", "trustCertificate"));
    int port = (int) r.number(endpoint, "org.endpoint.port", 1, 65_535);
    PubSubEndpoint pubsub = new PubSubEndpoint(r.text(endpoint, "org.endpoint.host"), port,
        endpoint.has("trustCertificate") ? r.file(endpoint, "org.endpoint.trustCertificate") : null);
    TokenSource tokens = auth(r, r.object(org, "org.auth"));
    List<String> topics = new ArrayList<>();
    JsonNode topicList = r.field(org, "org.topics");
    if (!topicList.isArray() || topicList.isEmpty()) {
      throw new ConfigException(source, "org.topics", "must be a non-empty list of channels such as /event/ApiEventStream");
    }
    topicList.forEach(t -> topics.add(t.asText()));
    ReplayStart start = org.has("replay") ? r.preset(org, "org.replay") : ReplayStart.latest();
    ReplayStart fallback = org.has("replayFallback") ? r.preset(org, "org.replayFallback") : ReplayStart.earliest();
    long stale = org.has("staleAfterSeconds") ? r.number(org, "org.staleAfterSeconds", 1, 86_400) * 1000 : Durability.DEFAULT_STALE_MILLIS;
    long horizon = org.has("resumeHorizonMinutes")
        ? r.number(org, "org.resumeHorizonMinutes", 0, 72 * 60) * 60_000 : Durability.DEFAULT_HORIZON_MILLIS;
    boolean journal = org.path("journalProcessed").asBoolean(false);
    Path profile = r.file(org, "org.profile");
    boolean drill = org.path("drill").asBoolean(false);
    Path rules = root.has("rules") ? r.path(root, "rules") : null;
    boolean console = true;
    Path alerts = null;
    if (root.has("alerts")) {
      JsonNode a = r.object(root, "alerts");
      r.keys(a, "alerts", Set.of("console", "jsonl"));
      console = a.path("console").asBoolean(true);
      alerts = a.has("jsonl") ? r.path(a, "alerts.jsonl") : null;
    }
    Path deadLetters = root.has("deadLetters") ? r.path(root, "deadLetters") : baseDir.resolve("dead-letters.jsonl");
    Path state = root.has("state") ? r.path(root, "state") : baseDir.resolve("state");
    return new EngineConfig(pubsub, tokens, List.copyOf(topics), start, profile, drill, rules, console, alerts, deadLetters,
        new Durability(state, fallback, horizon, stale, journal));
  }

  /** static (a token you already have), jwt (JWT bearer) or clientCredentials. */
  private static TokenSource auth(Reader r, JsonNode auth) {
    String type = auth.has("type") ? r.text(auth, "org.auth.type") : "static";
    switch (type) {
      case "static" -> {
        r.keys(auth, "org.auth", Set.of("type", "accessToken", "instanceUrl", "tenantId"));
        return TokenSource.fixed(new AccessGrant(r.text(auth, "org.auth.accessToken"), r.text(auth, "org.auth.instanceUrl"),
            r.text(auth, "org.auth.tenantId")));
      }
      case "jwt" -> {
        r.keys(auth, "org.auth", Set.of("type", "loginUrl", "clientId", "username", "privateKey", "trustCertificate"));
        Path keyFile = r.file(auth, "org.auth.privateKey");
        PrivateKey key;
        try {
          key = JwtAssertion.readKey(keyFile);
        } catch (AuthException e) {
          throw new ConfigException(r.source(), "org.auth.privateKey", e.getMessage());
        }
        return OAuthFlow.jwtBearer(r.text(auth, "org.auth.loginUrl"), r.text(auth, "org.auth.clientId"),
            r.text(auth, "org.auth.username"), new JwtAssertion(key, Clock.systemUTC()), r.http(auth));
      }
      case "clientCredentials" -> {
        r.keys(auth, "org.auth", Set.of("type", "loginUrl", "clientId", "clientSecret", "trustCertificate"));
        return OAuthFlow.clientCredentials(r.text(auth, "org.auth.loginUrl"), r.text(auth, "org.auth.clientId"),
            r.text(auth, "org.auth.clientSecret"), r.http(auth));
      }
      default -> throw new ConfigException(r.source(), "org.auth.type", "must be static, jwt or clientCredentials, was '" + type + "'");
    }
  }

  private record Reader(String source, Path baseDir, Map<String, String> env) {
    HttpClient http(JsonNode auth) {
      return TrustedCertificates.httpClient(auth.has("trustCertificate") ? file(auth, "org.auth.trustCertificate") : null);
    }

    void keys(JsonNode node, String at, Set<String> known) {
      for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!known.contains(name)) {
          throw new ConfigException(source, at.isEmpty() ? name : at + "." + name, "unknown key (expected one of " + new TreeSet<>(known) + ")");
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
      String raw = field(node, key).asText();
      Matcher m = ENV.matcher(raw);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        String value = env.get(m.group(1));
        if (value == null) {
          throw new ConfigException(source, key, "environment variable " + m.group(1) + " is not set");
        }
        m.appendReplacement(out, Matcher.quoteReplacement(value));
      }
      m.appendTail(out);
      if (out.toString().isBlank()) {
        throw new ConfigException(source, key, "must not be empty");
      }
      return out.toString();
    }

    long number(JsonNode node, String key, long min, long max) {
      JsonNode value = field(node, key);
      if (!value.canConvertToLong() || value.asLong() < min || value.asLong() > max) {
        throw new ConfigException(source, key, "must be a whole number from " + min + " to " + max);
      }
      return value.asLong();
    }

    ReplayStart preset(JsonNode node, String key) {
      String value = text(node, key);
      return switch (value) {
        case "latest" -> ReplayStart.latest();
        case "earliest" -> ReplayStart.earliest();
        default -> throw new ConfigException(source, key, "must be latest or earliest, was '" + value + "'");
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
