package io.leakwatch.loginpoll;

import io.leakwatch.binding.ConfigSource;
import io.leakwatch.binding.Range;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * One org's LoginHistory poll: the {@code loginHistory:} mapping of its configuration. Off unless
 * {@code enabled: true}.
 *
 * <pre>
 * loginHistory:
 *   enabled: true
 *   intervalSeconds: 60      # one query (plus one call per further 2,000 rows) per interval
 *   lookbackMinutes: 60      # how far back the very first poll reads (no cursor yet)
 *   settleSeconds: 300       # re-read this much before the cursor: rows can appear late
 *   apiVersion: "62.0"
 *   timeoutSeconds: 30
 *   trustCertificate: sim-cert.pem   # optional PEM; the JVM's trust store otherwise
 *   accessCheckSeconds: 300  # how often the user's "Manage Users"/"Monitor Login History" is checked
 * </pre>
 *
 * @param interval time between two polls that found nothing more
 * @param lookback how far back the first poll of an org without a cursor starts
 * @param settle how far before the cursor each poll reads again, for rows written late
 * @param batchSize rows per page asked of the server (200 to 2,000)
 * @param holdStreams whether the streams wait for the poll (event-time order, at the cost of a poll
 *     interval of latency): for drills, whose results must not depend on speed; off for real orgs,
 *     where the poll's rows are processed as late events instead
 * @param accessCheck how often the running user's permission to read every user's LoginHistory is
 *     checked again (also at start); the saved cursor never passes what the last check vouched for
 */
public record LoginHistorySettings(
    boolean enabled,
    Duration interval,
    Duration lookback,
    Duration settle,
    String apiVersion,
    Duration timeout,
    int batchSize,
    Path trustCertificate,
    boolean holdStreams,
    Duration accessCheck) {
  private static final Pattern API_VERSION = Pattern.compile("\\d{2,3}\\.0");

  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(60);
  public static final Duration DEFAULT_LOOKBACK = Duration.ofMinutes(60);
  public static final Duration DEFAULT_SETTLE = Duration.ofMinutes(5);
  public static final Duration DEFAULT_ACCESS_CHECK = Duration.ofMinutes(5);

  /** The default when an org has no {@code loginHistory:} mapping. */
  public static LoginHistorySettings off() {
    return new LoginHistorySettings(
        false,
        DEFAULT_INTERVAL,
        DEFAULT_LOOKBACK,
        DEFAULT_SETTLE,
        "62.0",
        Duration.ofSeconds(30),
        2_000,
        null,
        false,
        DEFAULT_ACCESS_CHECK);
  }

  /** On, with the defaults and the given interval (tests, drills). */
  public static LoginHistorySettings every(Duration interval) {
    LoginHistorySettings d = off();
    return new LoginHistorySettings(
        true,
        interval,
        d.lookback(),
        d.settle(),
        d.apiVersion(),
        d.timeout(),
        d.batchSize(),
        d.trustCertificate(),
        false,
        d.accessCheck());
  }

  public LoginHistorySettings withTrustCertificate(Path pem) {
    return new LoginHistorySettings(
        enabled,
        interval,
        lookback,
        settle,
        apiVersion,
        timeout,
        batchSize,
        pem,
        holdStreams,
        accessCheck);
  }

  public LoginHistorySettings withLookback(Duration lookback) {
    return new LoginHistorySettings(
        enabled,
        interval,
        lookback,
        settle,
        apiVersion,
        timeout,
        batchSize,
        trustCertificate,
        holdStreams,
        accessCheck);
  }

  public LoginHistorySettings withSettle(Duration settle) {
    return new LoginHistorySettings(
        enabled,
        interval,
        lookback,
        settle,
        apiVersion,
        timeout,
        batchSize,
        trustCertificate,
        holdStreams,
        accessCheck);
  }

  /** The streams wait for the poll, which reads its watermark from the server's clock (drills). */
  public LoginHistorySettings holdingStreams() {
    return new LoginHistorySettings(
        enabled,
        interval,
        lookback,
        settle,
        apiVersion,
        timeout,
        batchSize,
        trustCertificate,
        true,
        accessCheck);
  }

  /** Checks the running user's LoginHistory access this often (tests). */
  public LoginHistorySettings withAccessCheck(Duration accessCheck) {
    return new LoginHistorySettings(
        enabled,
        interval,
        lookback,
        settle,
        apiVersion,
        timeout,
        batchSize,
        trustCertificate,
        holdStreams,
        accessCheck);
  }

  public LoginHistorySettings withBatchSize(int batchSize) {
    return new LoginHistorySettings(
        enabled,
        interval,
        lookback,
        settle,
        apiVersion,
        timeout,
        batchSize,
        trustCertificate,
        holdStreams,
        accessCheck);
  }

  /** The {@code loginHistory:} mapping as written; {@link #resolve} checks it. */
  public record Section(
      Boolean enabled,
      @Range(min = 1, max = 86_400) Long intervalSeconds,
      @Range(min = 0, max = 30 * 24 * 60) Long lookbackMinutes,
      @Range(min = 0, max = 86_400) Long settleSeconds,
      String apiVersion,
      @Range(min = 1, max = 300) Long timeoutSeconds,
      @Range(min = 200, max = 2_000) Long batchSize,
      String trustCertificate,
      @Range(min = 10, max = 86_400) Long accessCheckSeconds) {

    /**
     * @param at where the mapping sits, e.g. {@code orgs[0].loginHistory}
     */
    public LoginHistorySettings resolve(ConfigSource file, String at) {
      LoginHistorySettings d = off();
      String version =
          apiVersion != null ? file.required(apiVersion, at + ".apiVersion") : d.apiVersion();
      if (!API_VERSION.matcher(version).matches()) {
        throw file.problem(at + ".apiVersion", "must look like 62.0, was '" + version + "'");
      }
      return new LoginHistorySettings(
          ConfigSource.flag(enabled, false),
          intervalSeconds != null ? Duration.ofSeconds(intervalSeconds) : d.interval(),
          lookbackMinutes != null ? Duration.ofMinutes(lookbackMinutes) : d.lookback(),
          settleSeconds != null ? Duration.ofSeconds(settleSeconds) : d.settle(),
          version,
          timeoutSeconds != null ? Duration.ofSeconds(timeoutSeconds) : d.timeout(),
          batchSize != null ? batchSize.intValue() : d.batchSize(),
          file.optionalFile(trustCertificate, at + ".trustCertificate"),
          false,
          accessCheckSeconds != null ? Duration.ofSeconds(accessCheckSeconds) : d.accessCheck());
    }
  }
}
