package io.leakwatch.alert;

import com.fasterxml.jackson.databind.JsonNode;
import io.leakwatch.auth.AccessGrant;
import io.leakwatch.auth.TokenSource;
import io.leakwatch.auth.TrustedCertificates;
import io.leakwatch.config.ConfigException;
import io.leakwatch.pubsub.PubSubClient;
import io.leakwatch.pubsub.PubSubEndpoint;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The {@code alerts:} key of the engine configuration: any number of each sink.
 *
 * <pre>
 * alerts:
 *   console: true
 *   files:      [{path: alerts.jsonl, format: leakwatch, rotate: {maxBytes: 10485760, daily: true, keep: 14}}]
 *   webhooks:   [{url: https://..., secret: ${WEBHOOK_SECRET}, format: leakwatch, spool: spool/soc}]
 *   slack:      [{url: ${SLACK_WEBHOOK_URL}, spool: spool/slack}]
 *   syslog:     [{host: siem.example, port: 6514, tls: true, spool: spool/siem}]
 *   ocsf:       [{path: findings.jsonl}, {url: https://..., secret: ${S}, spool: spool/ocsf}]
 *   salesforce: [{endpoint: {host: api.pubsub.salesforce.com, port: 7443}, auth: {...}, topic: /event/Leakwatch_Alert__e, spool: ...}]
 * </pre>
 *
 * {@code ${NAME}} is replaced by the environment variable NAME; relative paths resolve against
 * {@code baseDir}. Every problem is a {@link ConfigException} naming the key, such as {@code
 * alerts.webhooks[1].secret}; secrets never appear in a message.
 */
public final class SinkConfig {
  private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
  private static final Set<String> RETRY_KEYS = Set.of("initialMillis", "maxMillis");
  private static final Set<String> DELIVERY_KEYS =
      Set.of("name", "spool", "drills", "retry", "timeoutSeconds");

  private final String source;
  private final Path baseDir;
  private final Map<String, String> env;
  private final List<AlertSink> built = new ArrayList<>();
  private final java.io.PrintStream console;

  private SinkConfig(
      String source, Path baseDir, Map<String, String> env, java.io.PrintStream console) {
    this.source = source;
    this.baseDir = baseDir;
    this.env = env;
    this.console = console;
  }

  /**
   * The sinks {@code alertsNode} describes (a console sink when it is null); none are left running
   * if one is invalid.
   */
  public static List<AlertSink> parse(
      JsonNode alertsNode, String source, Path baseDir, Map<String, String> env) {
    return parse(alertsNode, source, baseDir, env, System.out);
  }

  /**
   * As {@link #parse(JsonNode, String, Path, Map)}, with the console sink printing to {@code
   * console}.
   */
  public static List<AlertSink> parse(
      JsonNode alertsNode,
      String source,
      Path baseDir,
      Map<String, String> env,
      java.io.PrintStream console) {
    SinkConfig config = new SinkConfig(source, baseDir, env, console);
    try {
      config.read(alertsNode);
    } catch (RuntimeException e) {
      config.closeBuilt();
      throw e;
    }
    return List.copyOf(config.built);
  }

  private void read(JsonNode alerts) {
    if (alerts == null || alerts.isNull()) {
      built.add(new ConsoleAlertSink(console));
      return;
    }
    if (!alerts.isObject()) {
      throw problem("alerts", "must be a mapping");
    }
    keys(
        alerts,
        "alerts",
        Set.of("console", "jsonl", "files", "webhooks", "slack", "syslog", "ocsf", "salesforce"));
    if (flag(alerts, "alerts.console", true)) {
      built.add(new ConsoleAlertSink(console));
    }
    if (alerts.has("jsonl")) {
      built.add(
          file(
              path(alerts, "alerts.jsonl"),
              AlertFormat.LEAKWATCH,
              FileRotation.NONE,
              "alerts.jsonl"));
    }
    each(alerts, "alerts.files", (node, key) -> fileSink(node, key, null));
    each(alerts, "alerts.webhooks", (node, key) -> webhook(node, key, null));
    each(alerts, "alerts.slack", this::slack);
    each(alerts, "alerts.syslog", this::syslog);
    each(
        alerts,
        "alerts.ocsf",
        (node, key) -> {
          if (node.has("url")) {
            webhook(node, key, AlertFormat.OCSF);
          } else {
            fileSink(node, key, AlertFormat.OCSF);
          }
        });
    each(alerts, "alerts.salesforce", this::salesforce);
  }

  private interface Entry {
    void read(JsonNode node, String key);
  }

  private void each(JsonNode alerts, String key, Entry entry) {
    JsonNode list = alerts.get(last(key));
    if (list == null || list.isNull()) {
      return;
    }
    if (!list.isArray()) {
      throw problem(key, "must be a list");
    }
    for (int i = 0; i < list.size(); i++) {
      String at = key + "[" + i + "]";
      if (!list.get(i).isObject()) {
        throw problem(at, "must be a mapping");
      }
      entry.read(list.get(i), at);
    }
  }

  private void fileSink(JsonNode node, String key, AlertFormat forced) {
    keys(node, key, forced == null ? Set.of("path", "format", "rotate") : Set.of("path", "rotate"));
    AlertFormat format = forced != null ? forced : format(node, key);
    FileRotation rotation = FileRotation.NONE;
    if (node.has("rotate")) {
      JsonNode r = object(node, key + ".rotate");
      keys(r, key + ".rotate", Set.of("maxBytes", "daily", "keep"));
      long maxBytes =
          r.has("maxBytes") ? number(r, key + ".rotate.maxBytes", 1_024, Long.MAX_VALUE) : 0;
      boolean daily = flag(r, key + ".rotate.daily", false);
      if (maxBytes == 0 && !daily) {
        throw problem(key + ".rotate", "needs maxBytes, daily: true, or both");
      }
      int keep = (int) (r.has("keep") ? number(r, key + ".rotate.keep", 1, 10_000) : 7);
      rotation = new FileRotation(maxBytes, daily, keep);
    }
    built.add(file(path(node, key + ".path"), format, rotation, key + ".path"));
  }

  private AlertSink file(Path path, AlertFormat format, FileRotation rotation, String key) {
    try {
      return new JsonLinesAlertSink(path, format, rotation, Clock.systemUTC());
    } catch (IOException e) {
      throw problem(key, "cannot open " + path + ": " + e.getMessage());
    }
  }

  private void webhook(JsonNode node, String key, AlertFormat forced) {
    Set<String> known = new TreeSet<>(DELIVERY_KEYS);
    known.addAll(Set.of("url", "secret", "trustCertificate", "headers"));
    if (forced == null) {
      known.add("format");
    }
    keys(node, key, known);
    AlertFormat format = forced != null ? forced : format(node, key);
    URI url = url(node, key + ".url");
    String secret =
        text(
            node,
            key + ".secret",
            "is required: the HMAC-SHA256 key receivers verify signatures with, e.g. ${LEAKWATCH_WEBHOOK_SECRET}");
    WebhookSignature signature;
    try {
      signature = new WebhookSignature(secret.getBytes(StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw problem(key + ".secret", "must be at least 16 bytes long");
    }
    HttpClient http =
        TrustedCertificates.httpClient(
            node.has("trustCertificate") ? file(node, key + ".trustCertificate") : null);
    WebhookTransport transport =
        new WebhookTransport(
            url, signature, http, timeout(node, key), Clock.systemUTC(), headers(node, key));
    spooled(node, key, format::render, false, transport);
  }

  /**
   * Extra request headers, such as a collector's Authorization; the ones Leakwatch sets itself
   * cannot be replaced.
   */
  private Map<String, String> headers(JsonNode node, String key) {
    if (!node.has("headers")) {
      return Map.of();
    }
    JsonNode headers = object(node, key + ".headers");
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (Iterator<String> names = headers.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      String at = key + ".headers." + name;
      String lower = name.toLowerCase(java.util.Locale.ROOT);
      if (!name.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
        throw problem(at, "is not a valid HTTP header name");
      }
      if (lower.startsWith("leakwatch-")
          || Set.of(
                  "content-type",
                  "idempotency-key",
                  "user-agent",
                  "host",
                  "content-length",
                  "connection",
                  "expect",
                  "upgrade")
              .contains(lower)) {
        throw problem(at, "is set by Leakwatch or the HTTP client and cannot be configured");
      }
      String value = text(headers, at, "must not be empty");
      if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
        throw problem(at, "must be a single line");
      }
      out.put(name, value);
    }
    return out;
  }

  private void slack(JsonNode node, String key) {
    Set<String> known = new TreeSet<>(DELIVERY_KEYS);
    known.add("url");
    keys(node, key, known);
    URI url = url(node, key + ".url");
    if (!"https".equals(url.getScheme()) && !loopback(url)) {
      throw problem(key + ".url", "must be an https:// Slack incoming-webhook URL");
    }
    WebhookTransport transport =
        new WebhookTransport(
            url, null, TrustedCertificates.httpClient(null), timeout(node, key), Clock.systemUTC());
    spooled(node, key, SlackMessage::toJson, true, transport);
  }

  private void syslog(JsonNode node, String key) {
    Set<String> known = new TreeSet<>(DELIVERY_KEYS);
    known.addAll(Set.of("host", "port", "tls", "trustCertificate", "facility"));
    keys(node, key, known);
    String host = text(node, key + ".host", "is required");
    int port = (int) number(node, key + ".port", 1, 65_535);
    boolean tls = flag(node, key + ".tls", false);
    if (node.has("trustCertificate") && !tls) {
      throw problem(key + ".trustCertificate", "only applies with tls: true");
    }
    int facility =
        (int)
            (node.has("facility")
                ? number(node, key + ".facility", 0, 23)
                : SyslogMessage.DEFAULT_FACILITY);
    SSLSocketFactory factory = null;
    if (tls) {
      factory =
          node.has("trustCertificate")
              ? trusting(file(node, key + ".trustCertificate"), key + ".trustCertificate")
              : (SSLSocketFactory) SSLSocketFactory.getDefault();
    }
    spooled(
        node,
        key,
        alert -> SyslogMessage.format(alert, facility),
        false,
        new SyslogTransport(host, port, factory, timeout(node, key)));
  }

  private void salesforce(JsonNode node, String key) {
    Set<String> known = new TreeSet<>(DELIVERY_KEYS);
    known.addAll(Set.of("endpoint", "auth", "topic"));
    keys(node, key, known);
    JsonNode endpoint = object(node, key + ".endpoint");
    keys(endpoint, key + ".endpoint", Set.of("host", "port", "trustCertificate"));
    PubSubEndpoint pubsub =
        new PubSubEndpoint(
            text(endpoint, key + ".endpoint.host", "is required"),
            (int) number(endpoint, key + ".endpoint.port", 1, 65_535),
            endpoint.has("trustCertificate")
                ? file(endpoint, key + ".endpoint.trustCertificate")
                : null);
    JsonNode auth = object(node, key + ".auth");
    keys(auth, key + ".auth", Set.of("accessToken", "instanceUrl", "tenantId"));
    TokenSource tokens =
        TokenSource.fixed(
            new AccessGrant(
                text(auth, key + ".auth.accessToken", "is required"),
                text(auth, key + ".auth.instanceUrl", "is required"),
                text(auth, key + ".auth.tenantId", "is required")));
    String topic = text(node, key + ".topic", "is required, e.g. /event/Leakwatch_Alert__e");
    if (!topic.startsWith("/event/") || !topic.endsWith("__e")) {
      throw problem(
          key + ".topic",
          "must name a custom platform event channel such as /event/Leakwatch_Alert__e, was '"
              + topic
              + "'");
    }
    PubSubClient client = new PubSubClient(pubsub, () -> tokens.current().credentials());
    spooled(
        node,
        key,
        AlertJson::toJson,
        false,
        new PlatformEventTransport(client, tokens, topic, Clock.systemUTC()));
  }

  private void spooled(
      JsonNode node,
      String key,
      java.util.function.Function<io.leakwatch.decision.Alert, String> renderer,
      boolean skipSuppressed,
      DeliveryTransport transport) {
    String name =
        node.has("name")
            ? text(node, key + ".name", "must not be empty")
            : key.substring("alerts.".length());
    Path spool = path(node, key + ".spool");
    DrillPolicy drills;
    try {
      drills =
          node.has("drills") ? DrillPolicy.parse(node.get("drills").asText()) : DrillPolicy.SKIP;
    } catch (IllegalArgumentException e) {
      throw problem(key + ".drills", e.getMessage());
    }
    Backoff backoff = Backoff.DEFAULT;
    if (node.has("retry")) {
      JsonNode r = object(node, key + ".retry");
      keys(r, key + ".retry", RETRY_KEYS);
      long initial =
          r.has("initialMillis")
              ? number(r, key + ".retry.initialMillis", 1, 3_600_000)
              : Backoff.DEFAULT.initial().toMillis();
      long max =
          r.has("maxMillis")
              ? number(r, key + ".retry.maxMillis", initial, 86_400_000)
              : Math.max(initial, Backoff.DEFAULT.max().toMillis());
      backoff = new Backoff(Duration.ofMillis(initial), Duration.ofMillis(max));
    }
    try {
      built.add(
          new SpooledAlertSink(name, spool, renderer, drills, skipSuppressed, transport, backoff));
    } catch (IOException e) {
      try {
        transport.close();
      } catch (Exception ignored) {
        // nothing was sent
      }
      throw problem(key + ".spool", "cannot open spool folder " + spool + ": " + e.getMessage());
    }
  }

  private Duration timeout(JsonNode node, String key) {
    return Duration.ofSeconds(
        node.has("timeoutSeconds") ? number(node, key + ".timeoutSeconds", 1, 300) : 10);
  }

  private AlertFormat format(JsonNode node, String key) {
    if (!node.has("format")) {
      return AlertFormat.LEAKWATCH;
    }
    try {
      return AlertFormat.parse(text(node, key + ".format", "must not be empty"));
    } catch (IllegalArgumentException e) {
      throw problem(key + ".format", e.getMessage());
    }
  }

  private URI url(JsonNode node, String key) {
    String raw = text(node, key, "is required");
    URI url;
    try {
      url = new URI(raw);
    } catch (URISyntaxException e) {
      // The URL may hold a secret (Slack's does): the message never repeats it.
      throw problem(key, "is not a valid URL");
    }
    if (url.getHost() == null
        || !("https".equals(url.getScheme()) || "http".equals(url.getScheme()))) {
      throw problem(key, "must be an http(s) URL with a host");
    }
    if ("http".equals(url.getScheme()) && !loopback(url)) {
      throw problem(key, "must use https (plain http is allowed only to localhost)");
    }
    return url;
  }

  private static boolean loopback(URI url) {
    String host = url.getHost();
    return "localhost".equals(host)
        || "127.0.0.1".equals(host)
        || "[::1]".equals(host)
        || "::1".equals(host);
  }

  private SSLSocketFactory trusting(Path pem, String key) {
    try (InputStream in = Files.newInputStream(pem)) {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int n = 0;
      for (Certificate certificate :
          CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("trusted-" + n++, certificate);
      }
      if (n == 0) {
        throw problem(key, pem + " holds no certificate");
      }
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context.getSocketFactory();
    } catch (IOException | GeneralSecurityException e) {
      throw problem(key, "cannot load certificates from " + pem + ": " + e.getMessage());
    }
  }

  private void closeBuilt() {
    for (AlertSink sink : built) {
      try {
        sink.close();
      } catch (Exception ignored) {
        // already failing with the configuration problem
      }
    }
  }

  // ---- reading values, with the key in every message ----

  private ConfigException problem(String key, String what) {
    return new ConfigException(source, key, what);
  }

  private void keys(JsonNode node, String at, Set<String> known) {
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!known.contains(name)) {
        throw problem(
            at + "." + name, "unknown key (expected one of " + new TreeSet<>(known) + ")");
      }
    }
  }

  private JsonNode object(JsonNode node, String key) {
    JsonNode value = node.get(last(key));
    if (value == null || value.isNull()) {
      throw problem(key, "is required");
    }
    if (!value.isObject()) {
      throw problem(key, "must be a mapping");
    }
    return value;
  }

  private String text(JsonNode node, String key, String whenMissing) {
    JsonNode value = node.get(last(key));
    if (value == null || value.isNull()) {
      throw problem(key, whenMissing);
    }
    if (!value.isValueNode()) {
      throw problem(key, "must be a single value");
    }
    Matcher m = ENV.matcher(value.asText());
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement = env.get(m.group(1));
      if (replacement == null) {
        throw problem(key, "environment variable " + m.group(1) + " is not set");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    if (out.toString().isBlank()) {
      throw problem(key, "must not be empty");
    }
    return out.toString();
  }

  private long number(JsonNode node, String key, long min, long max) {
    JsonNode value = node.get(last(key));
    if (value == null || value.isNull()) {
      throw problem(key, "is required");
    }
    if (!value.canConvertToLong()
        || !value.isIntegralNumber()
        || value.asLong() < min
        || value.asLong() > max) {
      throw problem(key, "must be a whole number from " + min + " to " + max);
    }
    return value.asLong();
  }

  private boolean flag(JsonNode node, String key, boolean otherwise) {
    JsonNode value = node.get(last(key));
    if (value == null || value.isNull()) {
      return otherwise;
    }
    if (!value.isBoolean()) {
      throw problem(key, "must be true or false");
    }
    return value.asBoolean();
  }

  private Path path(JsonNode node, String key) {
    return baseDir.resolve(text(node, key, "is required"));
  }

  private Path file(JsonNode node, String key) {
    Path path = path(node, key);
    if (!Files.isRegularFile(path)) {
      throw problem(key, "file " + path + " does not exist");
    }
    return path;
  }

  /** The last segment of a key such as {@code alerts.webhooks[0].retry.maxMillis}. */
  private static String last(String key) {
    String tail = key.substring(key.lastIndexOf('.') + 1);
    int bracket = tail.indexOf('[');
    return bracket < 0 ? tail : tail.substring(0, bracket);
  }
}
