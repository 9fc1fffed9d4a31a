package io.leakwatch.alert;

import com.fasterxml.jackson.databind.JsonNode;
import io.leakwatch.auth.TokenSource;
import io.leakwatch.auth.TrustedCertificates;
import io.leakwatch.binding.AuthSettings;
import io.leakwatch.binding.ConfigBinder;
import io.leakwatch.binding.ConfigException;
import io.leakwatch.binding.ConfigSource;
import io.leakwatch.binding.EndpointSettings;
import io.leakwatch.binding.Range;
import io.leakwatch.decision.Alert;
import io.leakwatch.pubsub.PubSubClient;
import io.leakwatch.pubsub.PubSubEndpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The {@code alerts:} section of the engine configuration, its one owner: any number of each sink.
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
 * Every delivered sink also takes {@code name}, {@code drills: skip|mark}, {@code retry:
 * {initialMillis, maxMillis}} and {@code timeoutSeconds}. The platform-event sink's {@code auth}
 * takes the same kinds as an org's ({@link AuthSettings}): a static token, JWT bearer or client
 * credentials. Each delivered sink needs a {@code spool} folder and a name of its own (a shared
 * spool folder loses alerts), and each file sink a file of its own. Relative paths resolve against
 * the configuration's folder. Every problem is a {@link ConfigException} naming the key, such as
 * {@code alerts.webhooks[1].secret}; secrets never appear in a message.
 */
public record SinkConfig(
    Boolean console,
    String jsonl,
    List<FileSink> files,
    List<Webhook> webhooks,
    List<Slack> slack,
    List<Syslog> syslog,
    List<Ocsf> ocsf,
    List<PlatformEvents> salesforce) {

  /** No {@code alerts:} key: alerts print to the console. */
  public static final SinkConfig CONSOLE =
      new SinkConfig(null, null, null, null, null, null, null, null);

  /** What every sink that delivers through a spool takes. */
  public interface Delivery {
    String name();

    String spool();

    String drills();

    Retry retry();

    Long timeoutSeconds();
  }

  public record Retry(
      @Range(min = 1, max = 3_600_000) Long initialMillis,
      @Range(min = 1, max = 86_400_000) Long maxMillis) {}

  public record Rotate(
      @Range(min = 1_024, max = Long.MAX_VALUE) Long maxBytes,
      Boolean daily,
      @Range(min = 1, max = 10_000) Long keep) {}

  public record FileSink(String path, String format, Rotate rotate) {}

  public record Webhook(
      String url,
      String secret,
      String format,
      String trustCertificate,
      Map<String, String> headers,
      String name,
      String spool,
      String drills,
      Retry retry,
      @Range(min = 1, max = 300) Long timeoutSeconds)
      implements Delivery {
    /** Without the secret, the headers (a collector's token) or the URL (it may hold a key). */
    @Override
    public String toString() {
      return "Webhook[name=" + name + ", spool=" + spool + "]";
    }
  }

  public record Slack(
      String url,
      String name,
      String spool,
      String drills,
      Retry retry,
      @Range(min = 1, max = 300) Long timeoutSeconds)
      implements Delivery {
    /** Without the URL: a Slack webhook URL is itself the secret. */
    @Override
    public String toString() {
      return "Slack[name=" + name + ", spool=" + spool + "]";
    }
  }

  public record Syslog(
      String host,
      @Range(min = 1, max = 65_535) Integer port,
      Boolean tls,
      String trustCertificate,
      @Range(min = 0, max = 23) Integer facility,
      String name,
      String spool,
      String drills,
      Retry retry,
      @Range(min = 1, max = 300) Long timeoutSeconds,
      @Range(min = 0, max = 300) Long repeatWindowSeconds)
      implements Delivery {}

  /** An OCSF file ({@code path}, {@code rotate}) or an OCSF webhook ({@code url}, ...). */
  public record Ocsf(
      String path,
      Rotate rotate,
      String url,
      String secret,
      String trustCertificate,
      Map<String, String> headers,
      String name,
      String spool,
      String drills,
      Retry retry,
      @Range(min = 1, max = 300) Long timeoutSeconds)
      implements Delivery {
    /** Without the secret, the headers or the URL. */
    @Override
    public String toString() {
      return "Ocsf[path=" + path + ", name=" + name + ", spool=" + spool + "]";
    }
  }

  /** Alerts published back into Salesforce as platform events. */
  public record PlatformEvents(
      EndpointSettings endpoint,
      AuthSettings auth,
      String topic,
      String name,
      String spool,
      String drills,
      Retry retry,
      @Range(min = 1, max = 300) Long timeoutSeconds)
      implements Delivery {}

  /**
   * Reads an {@code alerts:} mapping on its own (its {@code ${NAME}}s replaced from {@code env})
   * and opens its sinks; a console sink when it is null. None are left running if one is invalid.
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
      PrintStream console) {
    SinkConfig config =
        alertsNode == null || alertsNode.isNull()
            ? CONSOLE
            : ConfigBinder.bind(
                ConfigBinder.substitute(alertsNode, source, "alerts", env),
                SinkConfig.class,
                source,
                "alerts");
    return config.open(new ConfigSource(source, baseDir), console);
  }

  /** What the section asks for, for summaries. */
  public AlertsConfig describe(ConfigSource file) {
    List<String> others = new ArrayList<>();
    count(others, "files", files);
    count(others, "webhooks", webhooks);
    count(others, "slack", slack);
    count(others, "syslog", syslog);
    count(others, "ocsf", ocsf);
    count(others, "salesforce", salesforce);
    return new AlertsConfig(
        ConfigSource.flag(console, true),
        jsonl == null ? null : file.path(jsonl, "alerts.jsonl"),
        others);
  }

  /**
   * The spool folder of each spooled sink, by the name its logs, metrics and dead letters use
   * ({@code name}, or the key without {@code alerts.}, e.g. {@code webhooks[0]}), in the order of
   * the section; opens nothing.
   */
  public Map<String, Path> spoolsByName(ConfigSource file) {
    Map<String, Path> spools = new LinkedHashMap<>();
    spooled(spools, file, "webhooks", webhooks);
    spooled(spools, file, "slack", slack);
    spooled(spools, file, "syslog", syslog);
    if (ocsf != null) {
      for (int i = 0; i < ocsf.size(); i++) {
        if (ocsf.get(i) != null && ocsf.get(i).url() != null) {
          spooled(spools, file, "ocsf[" + i + "]", ocsf.get(i));
        }
      }
    }
    spooled(spools, file, "salesforce", salesforce);
    return spools;
  }

  private static void spooled(
      Map<String, Path> out, ConfigSource file, String kind, List<? extends Delivery> sinks) {
    if (sinks != null) {
      for (int i = 0; i < sinks.size(); i++) {
        if (sinks.get(i) != null) {
          spooled(out, file, kind + "[" + i + "]", sinks.get(i));
        }
      }
    }
  }

  private static void spooled(Map<String, Path> out, ConfigSource file, String at, Delivery d) {
    String name = d.name() != null ? d.name() : at;
    out.putIfAbsent(name, file.path(d.spool(), "alerts." + at + ".spool"));
  }

  private static void count(List<String> out, String kind, List<?> sinks) {
    if (sinks != null) {
      out.add(kind + " ×" + sinks.size());
    }
  }

  /**
   * Opens every sink the section describes, the console printing to {@code console}; none are left
   * running if one is invalid.
   */
  public List<AlertSink> open(ConfigSource file, PrintStream console) {
    Opener opener = new Opener(file, console, false);
    try {
      opener.openAll(this);
    } catch (RuntimeException e) {
      opener.closeBuilt();
      throw e;
    }
    return List.copyOf(opener.built);
  }

  /**
   * Checks every sink the section describes as {@link #open} would, but opens no spool and no file
   * and starts no delivery: the folders may belong to a running engine, whose spools are locked and
   * whose pending alerts are its own to deliver. Folders are checked to be creatable and writable,
   * without creating them. Throws the first problem, as {@link #open} would.
   */
  public void check(ConfigSource file) {
    Opener opener =
        new Opener(file, new PrintStream(java.io.OutputStream.nullOutputStream()), true);
    try {
      opener.openAll(this);
    } finally {
      opener.closeBuilt();
    }
  }

  /** Turns the bound settings into sinks, keeping what it opened so far. */
  private static final class Opener {
    private final ConfigSource file;
    private final PrintStream console;
    private final List<AlertSink> built = new ArrayList<>();
    private final SinkClaims claims = new SinkClaims();
    private final boolean checkOnly;

    /**
     * @param checkOnly check every setting and folder, but open no spool or file (see {@link
     *     SinkConfig#check})
     */
    Opener(ConfigSource file, PrintStream console, boolean checkOnly) {
      this.file = file;
      this.console = console;
      this.checkOnly = checkOnly;
    }

    void openAll(SinkConfig c) {
      if (ConfigSource.flag(c.console(), true)) {
        built.add(new ConsoleAlertSink(console));
      }
      if (c.jsonl() != null) {
        file(
            file.path(c.jsonl(), "alerts.jsonl"),
            AlertFormat.LEAKWATCH,
            FileRotation.NONE,
            "alerts.jsonl");
      }
      each(c.files(), "alerts.files", (s, key) -> fileSink(s.path(), s.format(), s.rotate(), key));
      each(
          c.webhooks(),
          "alerts.webhooks",
          (s, key) ->
              webhook(
                  s,
                  s.url(),
                  s.secret(),
                  format(s.format(), key),
                  s.trustCertificate(),
                  s.headers(),
                  key));
      each(c.slack(), "alerts.slack", this::slack);
      each(c.syslog(), "alerts.syslog", this::syslog);
      each(c.ocsf(), "alerts.ocsf", this::ocsf);
      each(c.salesforce(), "alerts.salesforce", this::salesforce);
    }

    private interface Entry<T> {
      void open(T settings, String key);
    }

    private <T> void each(List<T> list, String key, Entry<T> entry) {
      if (list == null) {
        return;
      }
      for (int i = 0; i < list.size(); i++) {
        String at = key + "[" + i + "]";
        entry.open(file.required(list.get(i), at), at);
      }
    }

    private void fileSink(String path, String formatName, Rotate rotate, String key) {
      AlertFormat format = format(formatName, key);
      file(file.path(path, key + ".path"), format, rotation(rotate, key), key + ".path");
    }

    private FileRotation rotation(Rotate r, String key) {
      if (r == null) {
        return FileRotation.NONE;
      }
      long maxBytes = r.maxBytes() == null ? 0 : r.maxBytes();
      boolean daily = ConfigSource.flag(r.daily(), false);
      if (maxBytes == 0 && !daily) {
        throw file.problem(key + ".rotate", "needs maxBytes, daily: true, or both");
      }
      return new FileRotation(maxBytes, daily, r.keep() == null ? 7 : r.keep().intValue());
    }

    private void file(Path path, AlertFormat format, FileRotation rotation, String key) {
      String writtenBefore = claims.claimFile(path, key);
      if (writtenBefore != null) {
        throw file.problem(
            key,
            "is the same file as "
                + writtenBefore
                + "; each file sink needs a file of its own (two would interleave, rotate and"
                + " de-duplicate each other's lines)");
      }
      if (checkOnly) {
        String problem = WritableFolder.problem(path.toAbsolutePath().getParent());
        if (problem == null && Files.exists(path) && !Files.isWritable(path)) {
          problem = "cannot write " + path;
        }
        if (problem != null) {
          throw file.problem(key, "cannot open " + path + ": " + problem);
        }
        return;
      }
      try {
        built.add(new JsonLinesAlertSink(path, format, rotation, Clock.systemUTC()));
      } catch (IOException e) {
        throw file.problem(key, "cannot open " + path + ": " + e.getMessage());
      }
    }

    private void webhook(
        Delivery delivery,
        String rawUrl,
        String rawSecret,
        AlertFormat format,
        String trustCertificate,
        Map<String, String> rawHeaders,
        String key) {
      URI url = url(rawUrl, key + ".url");
      String secret =
          file.required(
              rawSecret,
              key + ".secret",
              "is required: the HMAC-SHA256 key receivers verify signatures with, e.g. ${LEAKWATCH_WEBHOOK_SECRET}");
      WebhookSignature signature;
      try {
        signature = new WebhookSignature(secret.getBytes(StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        throw file.problem(key + ".secret", "must be at least 16 bytes long");
      }
      HttpClient http =
          TrustedCertificates.httpClient(
              file.optionalFile(trustCertificate, key + ".trustCertificate"));
      WebhookTransport transport =
          new WebhookTransport(
              url, signature, http, timeout(delivery), Clock.systemUTC(), headers(rawHeaders, key));
      spooled(delivery, key, format::render, false, transport);
    }

    /**
     * Extra request headers, such as a collector's Authorization; the ones Leakwatch sets itself
     * cannot be replaced.
     */
    private Map<String, String> headers(Map<String, String> headers, String key) {
      if (headers == null) {
        return Map.of();
      }
      Map<String, String> out = new LinkedHashMap<>();
      for (Map.Entry<String, String> header : headers.entrySet()) {
        String name = header.getKey();
        String at = key + ".headers." + name;
        String lower = name.toLowerCase(Locale.ROOT);
        if (!name.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
          throw file.problem(at, "is not a valid HTTP header name");
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
          throw file.problem(at, "is set by Leakwatch or the HTTP client and cannot be configured");
        }
        String value = file.required(header.getValue(), at, "must not be empty");
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
          throw file.problem(at, "must be a single line");
        }
        out.put(name, value);
      }
      return out;
    }

    private void slack(Slack s, String key) {
      URI url = url(s.url(), key + ".url");
      if (!"https".equals(url.getScheme()) && !loopback(url)) {
        throw file.problem(key + ".url", "must be an https:// Slack incoming-webhook URL");
      }
      WebhookTransport transport =
          new WebhookTransport(
              url, null, TrustedCertificates.httpClient(null), timeout(s), Clock.systemUTC());
      spooled(s, key, SlackMessage::toJson, true, transport);
    }

    private void syslog(Syslog s, String key) {
      String host = file.required(s.host(), key + ".host");
      int port = file.required(s.port(), key + ".port");
      boolean tls = ConfigSource.flag(s.tls(), false);
      if (s.trustCertificate() != null && !tls) {
        throw file.problem(key + ".trustCertificate", "only applies with tls: true");
      }
      int facility = s.facility() != null ? s.facility() : SyslogMessage.DEFAULT_FACILITY;
      SSLSocketFactory factory = null;
      if (tls) {
        factory =
            s.trustCertificate() != null
                ? trusting(
                    file.file(s.trustCertificate(), key + ".trustCertificate"),
                    key + ".trustCertificate")
                : (SSLSocketFactory) SSLSocketFactory.getDefault();
      }
      spooled(
          s,
          key,
          alert -> SyslogMessage.format(alert, facility),
          false,
          new SyslogTransport(
              host,
              port,
              factory,
              timeout(s),
              s.repeatWindowSeconds() != null
                  ? Duration.ofSeconds(s.repeatWindowSeconds())
                  : SyslogTransport.REPEAT_WINDOW));
    }

    private void ocsf(Ocsf s, String key) {
      if (s.url() != null) {
        unknownIfSet(key, s.path(), "path", webhookKeys(false));
        unknownIfSet(key, s.rotate(), "rotate", webhookKeys(false));
        webhook(s, s.url(), s.secret(), AlertFormat.OCSF, s.trustCertificate(), s.headers(), key);
      } else {
        Set<String> fileKeys = Set.of("path", "rotate");
        unknownIfSet(key, s.secret(), "secret", fileKeys);
        unknownIfSet(key, s.trustCertificate(), "trustCertificate", fileKeys);
        unknownIfSet(key, s.headers(), "headers", fileKeys);
        unknownIfSet(key, s.name(), "name", fileKeys);
        unknownIfSet(key, s.spool(), "spool", fileKeys);
        unknownIfSet(key, s.drills(), "drills", fileKeys);
        unknownIfSet(key, s.retry(), "retry", fileKeys);
        unknownIfSet(key, s.timeoutSeconds(), "timeoutSeconds", fileKeys);
        file(
            file.path(s.path(), key + ".path"),
            AlertFormat.OCSF,
            rotation(s.rotate(), key),
            key + ".path");
      }
    }

    private static Set<String> webhookKeys(boolean withFormat) {
      Set<String> keys =
          new TreeSet<>(
              Set.of(
                  "url",
                  "secret",
                  "trustCertificate",
                  "headers",
                  "name",
                  "spool",
                  "drills",
                  "retry",
                  "timeoutSeconds"));
      if (withFormat) {
        keys.add("format");
      }
      return keys;
    }

    /** A key of the other form of an entry that takes two forms. */
    private void unknownIfSet(String key, Object value, String name, Set<String> known) {
      if (value != null) {
        throw file.problem(
            key + "." + name, "unknown key (expected one of " + new TreeSet<>(known) + ")");
      }
    }

    private void salesforce(PlatformEvents s, String key) {
      PubSubEndpoint pubsub =
          file.required(s.endpoint(), key + ".endpoint").resolve(file, key + ".endpoint");
      TokenSource tokens = file.required(s.auth(), key + ".auth").tokens(file, key + ".auth");
      String topic =
          file.required(s.topic(), key + ".topic", "is required, e.g. /event/Leakwatch_Alert__e");
      if (!topic.startsWith("/event/") || !topic.endsWith("__e")) {
        throw file.problem(
            key + ".topic",
            "must name a custom platform event channel such as /event/Leakwatch_Alert__e, was '"
                + topic
                + "'");
      }
      PubSubClient client = new PubSubClient(pubsub, () -> tokens.current().credentials());
      spooled(
          s,
          key,
          AlertJson::toJson,
          false,
          new PlatformEventTransport(client, tokens, topic, Clock.systemUTC()));
    }

    private void spooled(
        Delivery d,
        String key,
        Function<Alert, String> renderer,
        boolean skipSuppressed,
        DeliveryTransport transport) {
      try {
        String name =
            d.name() != null
                ? file.required(d.name(), key + ".name", "must not be empty")
                : key.substring("alerts.".length());
        String namedBefore = claims.claimName(name, key);
        if (namedBefore != null) {
          throw file.problem(
              key + (d.name() != null ? ".name" : ""),
              "'"
                  + name
                  + "' is also the name of "
                  + namedBefore
                  + "; each sink needs a name of its own");
        }
        Path spool = file.path(d.spool(), key + ".spool");
        String spooledBefore = claims.claimFolder(spool, key);
        if (spooledBefore != null) {
          throw file.problem(
              key + ".spool",
              "is the same folder as "
                  + spooledBefore
                  + ".spool; each sink needs a spool folder of its own (a shared one loses alerts)");
        }
        DrillPolicy drills;
        try {
          drills = d.drills() != null ? DrillPolicy.parse(d.drills()) : DrillPolicy.SKIP;
        } catch (IllegalArgumentException e) {
          throw file.problem(key + ".drills", e.getMessage());
        }
        Backoff backoff = backoff(d.retry(), key);
        if (checkOnly) {
          String problem = WritableFolder.problem(spool);
          if (problem != null) {
            throw file.problem(
                key + ".spool", "cannot open spool folder " + spool + ": " + problem);
          }
          try {
            transport.close();
          } catch (IOException ignored) {
            // nothing was sent
          }
          return;
        }
        try {
          built.add(
              new SpooledAlertSink(
                  name, spool, renderer, drills, skipSuppressed, transport, backoff));
        } catch (IOException e) {
          throw file.problem(
              key + ".spool", "cannot open spool folder " + spool + ": " + e.getMessage());
        }
      } catch (RuntimeException e) {
        try {
          transport.close();
        } catch (Exception ignored) {
          // nothing was sent
        }
        throw e;
      }
    }

    private Backoff backoff(Retry r, String key) {
      if (r == null) {
        return Backoff.DEFAULT;
      }
      long initial =
          r.initialMillis() != null ? r.initialMillis() : Backoff.DEFAULT.initial().toMillis();
      long max =
          r.maxMillis() != null
              ? r.maxMillis()
              : Math.max(initial, Backoff.DEFAULT.max().toMillis());
      if (max < initial) {
        throw file.problem(
            key + ".retry.maxMillis", "must be a whole number from " + initial + " to 86400000");
      }
      return new Backoff(Duration.ofMillis(initial), Duration.ofMillis(max));
    }

    private static Duration timeout(Delivery d) {
      return Duration.ofSeconds(d.timeoutSeconds() != null ? d.timeoutSeconds() : 10);
    }

    private AlertFormat format(String name, String key) {
      if (name == null) {
        return AlertFormat.LEAKWATCH;
      }
      try {
        return AlertFormat.parse(file.required(name, key + ".format"));
      } catch (IllegalArgumentException e) {
        throw file.problem(key + ".format", e.getMessage());
      }
    }

    private URI url(String raw, String key) {
      URI url;
      try {
        url = new URI(file.required(raw, key));
      } catch (URISyntaxException e) {
        // The URL may hold a secret (Slack's does): the message never repeats it.
        throw file.problem(key, "is not a valid URL");
      }
      if (url.getHost() == null
          || !("https".equals(url.getScheme()) || "http".equals(url.getScheme()))) {
        throw file.problem(key, "must be an http(s) URL with a host");
      }
      if ("http".equals(url.getScheme()) && !loopback(url)) {
        throw file.problem(key, "must use https (plain http is allowed only to localhost)");
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
          throw file.problem(key, pem + " holds no certificate");
        }
        TrustManagerFactory trust =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context.getSocketFactory();
      } catch (IOException | GeneralSecurityException e) {
        throw file.problem(key, "cannot load certificates from " + pem + ": " + e.getMessage());
      }
    }

    void closeBuilt() {
      for (AlertSink sink : built) {
        try {
          sink.close();
        } catch (Exception ignored) {
          // already failing with the configuration problem
        }
      }
    }
  }
}
