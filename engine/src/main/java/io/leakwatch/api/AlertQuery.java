package io.leakwatch.api;

import io.leakwatch.rulepack.Severity;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/**
 * A {@code GET /alerts} query: filters, a page size and where the previous page stopped. Times
 * filter on when the alert was detected; {@code severity} is a minimum.
 *
 * @param cursor the last entry of the previous page (detectedAt, id, revision), or null
 */
record AlertQuery(
    Instant from,
    Instant to,
    Severity minSeverity,
    String rule,
    String principal,
    String org,
    int limit,
    Cursor cursor) {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1_000;

  record Cursor(long detectedAt, String id, int revision) {
    String encode() {
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(
              (detectedAt + "|" + revision + "|" + id).getBytes(StandardCharsets.UTF_8));
    }

    static Cursor decode(String text) {
      try {
        String[] parts =
            new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8).split("\\|", 3);
        return new Cursor(Long.parseLong(parts[0]), parts[2], Integer.parseInt(parts[1]));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("cursor: not a cursor this API returned");
      }
    }
  }

  /** Reads the query parameters; a bad one is an {@link IllegalArgumentException} naming it. */
  static AlertQuery parse(Function<String, String> param) {
    int limit = DEFAULT_LIMIT;
    String limitText = param.apply("limit");
    if (limitText != null) {
      try {
        limit = Integer.parseInt(limitText);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > MAX_LIMIT) {
        throw new IllegalArgumentException("limit: must be a whole number from 1 to " + MAX_LIMIT);
      }
    }
    Severity severity = null;
    if (param.apply("severity") != null) {
      try {
        severity = Severity.parse(param.apply("severity"));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("severity: " + e.getMessage());
      }
    }
    String cursor = param.apply("cursor");
    return new AlertQuery(
        instant(param, "from"),
        instant(param, "to"),
        severity,
        param.apply("rule"),
        param.apply("principal"),
        param.apply("org"),
        limit,
        cursor == null ? null : Cursor.decode(cursor));
  }

  private static Instant instant(Function<String, String> param, String name) {
    String text = param.apply(name);
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          name + ": must be an ISO-8601 instant such as 2026-03-10T14:00:00Z");
    }
  }

  boolean matches(AlertHistory.Entry entry) {
    var alert = entry.alert();
    return (from == null || alert.detectedAt() >= from.toEpochMilli())
        && (to == null || alert.detectedAt() < to.toEpochMilli())
        && (minSeverity == null || alert.severity().compareTo(minSeverity) >= 0)
        && (rule == null || rule.equals(alert.ruleId()))
        && (principal == null || principal.equals(alert.principal()))
        && (org == null || org.equals(entry.org()));
  }

  /** One page of {@code newestFirst}, and the cursor of the next page (null on the last). */
  Page page(List<AlertHistory.Entry> newestFirst) {
    List<AlertHistory.Entry> out = new ArrayList<>();
    boolean started = cursor == null;
    AlertHistory.Entry last = null;
    boolean more = false;
    for (AlertHistory.Entry entry : newestFirst) {
      if (!started) {
        // Entries are newest first: resume strictly after the cursor's position.
        started = after(entry.alert(), cursor);
        if (!started) {
          continue;
        }
      }
      if (!matches(entry)) {
        continue;
      }
      if (out.size() == limit) {
        more = true;
        break;
      }
      out.add(entry);
      last = entry;
    }
    String next =
        more && last != null
            ? new Cursor(last.alert().detectedAt(), last.alert().id(), last.alert().revision())
                .encode()
            : null;
    return new Page(out, next);
  }

  /** Whether {@code alert} sorts after the cursor's entry in newest-first order. */
  private static boolean after(io.leakwatch.decision.Alert alert, Cursor cursor) {
    if (alert.detectedAt() != cursor.detectedAt()) {
      return alert.detectedAt() < cursor.detectedAt();
    }
    int byId = alert.id().compareTo(cursor.id());
    return byId != 0 ? byId < 0 : alert.revision() < cursor.revision();
  }

  record Page(List<AlertHistory.Entry> entries, String nextCursor) {}
}
