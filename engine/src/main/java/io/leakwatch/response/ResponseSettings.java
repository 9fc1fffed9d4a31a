package io.leakwatch.response;

import com.fasterxml.jackson.databind.JsonNode;
import io.leakwatch.binding.ConfigBinder;
import io.leakwatch.binding.ConfigSource;
import io.leakwatch.binding.Range;
import io.leakwatch.decision.ResponseAction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
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
  private static final Pattern API_VERSION = Pattern.compile("\\d{2,3}\\.0");

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
   * The {@code response:} mapping as written; {@link #resolve} checks it. {@code mode} and the
   * action modes stay YAML values because YAML 1.1 reads a bare {@code off} as the boolean false.
   */
  public record Section(
      JsonNode mode,
      Map<String, JsonNode> actions,
      String auditLog,
      String apiVersion,
      @Range(min = 1, max = 300) Long timeoutSeconds,
      @Range(min = 1, max = 10) Long attempts,
      @Range(min = 0, max = 60_000) Long backoffMillis,
      String trustCertificate) {

    /**
     * @param at where the mapping sits, e.g. {@code orgs[0].response}
     */
    public ResponseSettings resolve(ConfigSource file, String at) {
      ResponseMode orgMode = mode == null ? ResponseMode.OFF : mode(file, mode, at + ".mode");
      Map<ResponseAction, ResponseMode> modes = new EnumMap<>(ResponseAction.class);
      if (actions != null) {
        for (Map.Entry<String, JsonNode> entry : actions.entrySet()) {
          String key = at + ".actions." + entry.getKey();
          ResponseAction action;
          try {
            action = ResponseAction.parse(entry.getKey());
          } catch (IllegalArgumentException e) {
            throw file.problem(key, e.getMessage());
          }
          modes.put(action, mode(file, file.required(entry.getValue(), key), key));
        }
      }
      ResponseSettings defaults = off();
      boolean enabled =
          orgMode != ResponseMode.OFF
              || modes.values().stream().anyMatch(m -> m != ResponseMode.OFF);
      Path audit = null;
      if (auditLog != null) {
        audit = file.path(auditLog, at + ".auditLog");
      } else if (enabled) {
        throw file.problem(
            at + ".auditLog", "is required when any action is not off (every action is audited)");
      }
      String version =
          apiVersion != null
              ? file.required(apiVersion, at + ".apiVersion")
              : defaults.apiVersion();
      if (!API_VERSION.matcher(version).matches()) {
        throw file.problem(at + ".apiVersion", "must look like 62.0, was '" + version + "'");
      }
      return new ResponseSettings(
          orgMode,
          modes,
          audit,
          version,
          timeoutSeconds != null ? Duration.ofSeconds(timeoutSeconds) : defaults.timeout(),
          attempts != null ? attempts.intValue() : defaults.attempts(),
          backoffMillis != null ? Duration.ofMillis(backoffMillis) : defaults.backoff(),
          file.optionalFile(trustCertificate, at + ".trustCertificate"));
    }

    private static ResponseMode mode(ConfigSource file, JsonNode value, String key) {
      if (!value.isValueNode()) {
        throw file.problem(key, "must be a single value");
      }
      String label = value.isBoolean() && !value.asBoolean() ? "off" : value.asText();
      try {
        return ResponseMode.parse(label);
      } catch (IllegalArgumentException e) {
        throw file.problem(key, e.getMessage());
      }
    }
  }

  /**
   * Reads a {@code response:} mapping on its own, its {@code ${NAME}}s replaced from {@code env}. A
   * missing or null node means off. Relative paths resolve against the working directory; see
   * {@link #parse(JsonNode, String, String, Map, Path)}.
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
    Section section =
        ConfigBinder.bind(
            ConfigBinder.substitute(node, source, at, env), Section.class, source, at);
    return section.resolve(new ConfigSource(source, baseDir), at);
  }
}
