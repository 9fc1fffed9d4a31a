package io.leakwatch.response;

import com.fasterxml.jackson.databind.JsonNode;
import io.leakwatch.config.ConfigException;
import io.leakwatch.decision.ResponseAction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One org's response-action settings: the {@code response:} mapping of its configuration.
 *
 * <pre>
 * response:
 *   mode: approval                 # off (default) | dryRun | approval | auto
 *   actions: {endSession: auto, freezeUser: approval}   # optional: replaces mode for that action
 *   auditLog: state/response-audit.jsonl
 *   apiVersion: "62.0"
 *   timeoutSeconds: 10
 *   attempts: 3                    # tries per call on 5xx or I/O failure
 *   backoffMillis: 500             # doubled after each failed try
 *   trustCertificate: sim-cert.pem # optional PEM; the JVM's trust store otherwise
 * </pre>
 *
 * @param actionModes a mode per action that overrides {@code mode} for that action
 */
public record ResponseSettings(
    ResponseMode mode,
    Map<ResponseAction, ResponseMode> actionModes,
    Path auditLog,
    String apiVersion,
    Duration timeout,
    int attempts,
    Duration backoff,
    Path trustCertificate) {
  private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
  private static final Pattern API_VERSION = Pattern.compile("\\d{2,3}\\.0");
  private static final Set<String> KEYS =
      Set.of(
          "mode",
          "actions",
          "auditLog",
          "apiVersion",
          "timeoutSeconds",
          "attempts",
          "backoffMillis",
          "trustCertificate");

  public ResponseSettings {
    actionModes = Map.copyOf(actionModes);
  }

  /**
   * Off: no action runs, nothing is audited. The default when an org has no {@code response:}
   * mapping.
   */
  public static ResponseSettings off() {
    return new ResponseSettings(
        ResponseMode.OFF,
        Map.of(),
        null,
        "62.0",
        Duration.ofSeconds(10),
        3,
        Duration.ofMillis(500),
        null);
  }

  /** Every action in {@code mode}, with the given audit log and otherwise the defaults. */
  public static ResponseSettings of(ResponseMode mode, Path auditLog) {
    return new ResponseSettings(
        mode, Map.of(), auditLog, "62.0", Duration.ofSeconds(10), 3, Duration.ofMillis(500), null);
  }

  public ResponseSettings withTrustCertificate(Path pem) {
    return new ResponseSettings(
        mode, actionModes, auditLog, apiVersion, timeout, attempts, backoff, pem);
  }

  public ResponseSettings withActionMode(ResponseAction action, ResponseMode actionMode) {
    Map<ResponseAction, ResponseMode> modes = new EnumMap<>(ResponseAction.class);
    modes.putAll(actionModes);
    modes.put(action, actionMode);
    return new ResponseSettings(
        mode, modes, auditLog, apiVersion, timeout, attempts, backoff, trustCertificate);
  }

  public ResponseSettings withRetries(int attempts, Duration backoff) {
    return new ResponseSettings(
        mode, actionModes, auditLog, apiVersion, timeout, attempts, backoff, trustCertificate);
  }

  /** The org's mode for {@code action}, before the rule and drill limits. */
  public ResponseMode modeFor(ResponseAction action) {
    return actionModes.getOrDefault(action, mode);
  }

  /** Whether any action can ever be written or run. */
  public boolean enabled() {
    return mode != ResponseMode.OFF
        || actionModes.values().stream().anyMatch(m -> m != ResponseMode.OFF);
  }

  /**
   * Reads a {@code response:} mapping. A missing or null node means off. Relative paths resolve
   * against the working directory; see {@link #parse(JsonNode, String, String, Map, Path)}.
   *
   * @param source the file, for error messages
   * @param keyPrefix where the mapping sits, e.g. {@code orgs.acme.response}
   * @param env for {@code ${NAME}} substitution
   */
  public static ResponseSettings parse(
      JsonNode node, String source, String keyPrefix, Map<String, String> env) {
    return parse(node, source, keyPrefix, env, Path.of(""));
  }

  /**
   * As {@link #parse(JsonNode, String, String, Map)}, resolving relative paths against {@code
   * baseDir}.
   */
  public static ResponseSettings parse(
      JsonNode node, String source, String keyPrefix, Map<String, String> env, Path baseDir) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return off();
    }
    String at = keyPrefix == null || keyPrefix.isEmpty() ? "response" : keyPrefix;
    if (!node.isObject()) {
      throw new ConfigException(source, at, "must be a mapping");
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!KEYS.contains(name)) {
        throw new ConfigException(
            source, at + "." + name, "unknown key (expected one of " + new TreeSet<>(KEYS) + ")");
      }
    }
    ResponseMode mode =
        node.hasNonNull("mode")
            ? mode(
                modeText(node.get("mode"), () -> text(node, "mode", source, at, env)),
                source,
                at + ".mode")
            : ResponseMode.OFF;
    Map<ResponseAction, ResponseMode> actionModes = new EnumMap<>(ResponseAction.class);
    if (node.hasNonNull("actions")) {
      JsonNode actions = node.get("actions");
      if (!actions.isObject()) {
        throw new ConfigException(source, at + ".actions", "must be a mapping of action to mode");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = actions.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        String key = at + ".actions." + entry.getKey();
        ResponseAction action;
        try {
          action = ResponseAction.parse(entry.getKey());
        } catch (IllegalArgumentException e) {
          throw new ConfigException(source, key, e.getMessage());
        }
        actionModes.put(
            action, mode(modeText(entry.getValue(), entry.getValue()::asText), source, key));
      }
    }
    ResponseSettings defaults = off();
    boolean enabled =
        mode != ResponseMode.OFF
            || actionModes.values().stream().anyMatch(m -> m != ResponseMode.OFF);
    Path auditLog = null;
    if (node.hasNonNull("auditLog")) {
      auditLog = baseDir.resolve(text(node, "auditLog", source, at, env));
    } else if (enabled) {
      throw new ConfigException(
          source,
          at + ".auditLog",
          "is required when any action is not off (every action is audited)");
    }
    String apiVersion =
        node.hasNonNull("apiVersion")
            ? text(node, "apiVersion", source, at, env)
            : defaults.apiVersion();
    if (!API_VERSION.matcher(apiVersion).matches()) {
      throw new ConfigException(
          source, at + ".apiVersion", "must look like 62.0, was '" + apiVersion + "'");
    }
    long timeoutSeconds =
        number(node, "timeoutSeconds", 1, 300, defaults.timeout().toSeconds(), source, at);
    long attempts = number(node, "attempts", 1, 10, defaults.attempts(), source, at);
    long backoffMillis =
        number(node, "backoffMillis", 0, 60_000, defaults.backoff().toMillis(), source, at);
    Path trust = null;
    if (node.hasNonNull("trustCertificate")) {
      trust = baseDir.resolve(text(node, "trustCertificate", source, at, env));
      if (!Files.isRegularFile(trust)) {
        throw new ConfigException(
            source, at + ".trustCertificate", "file " + trust + " does not exist");
      }
    }
    return new ResponseSettings(
        mode,
        actionModes,
        auditLog,
        apiVersion,
        Duration.ofSeconds(timeoutSeconds),
        (int) attempts,
        Duration.ofMillis(backoffMillis),
        trust);
  }

  /**
   * YAML 1.1 reads a bare {@code off} as the boolean false; take it as the mode it was meant to be.
   */
  private static String modeText(JsonNode value, java.util.function.Supplier<String> text) {
    return value.isBoolean() && !value.asBoolean() ? "off" : text.get();
  }

  private static ResponseMode mode(String value, String source, String key) {
    try {
      return ResponseMode.parse(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(source, key, e.getMessage());
    }
  }

  private static String text(
      JsonNode node, String name, String source, String at, Map<String, String> env) {
    JsonNode value = node.get(name);
    if (!value.isValueNode()) {
      throw new ConfigException(source, at + "." + name, "must be a single value");
    }
    Matcher m = ENV.matcher(value.asText());
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement = env.get(m.group(1));
      if (replacement == null) {
        throw new ConfigException(
            source, at + "." + name, "environment variable " + m.group(1) + " is not set");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    if (out.toString().isBlank()) {
      throw new ConfigException(source, at + "." + name, "must not be empty");
    }
    return out.toString();
  }

  private static long number(
      JsonNode node, String name, long min, long max, long fallback, String source, String at) {
    JsonNode value = node.get(name);
    if (value == null || value.isNull()) {
      return fallback;
    }
    if (!value.canConvertToLong()
        || !value.isIntegralNumber()
        || value.asLong() < min
        || value.asLong() > max) {
      throw new ConfigException(
          source, at + "." + name, "must be a whole number from " + min + " to " + max);
    }
    return value.asLong();
  }
}
