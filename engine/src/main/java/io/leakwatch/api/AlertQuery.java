package io.leakwatch.api;

import io.leakwatch.rulepack.Severity;
import io.leakwatch.store.AlertStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/**
 * A {@code GET /alerts} query: filters, a page size and where the previous page stopped. Times
 * filter on when the alert was detected; {@code severity} is a minimum.
 *
 * @param cursor where the previous page stopped, or null
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

  /** Where the previous page stopped in the store's newest-first order; opaque to clients. */
  record Cursor(long detectedAt, long seq) {
    static Cursor after(AlertStore.Stored last) {
      return new Cursor(last.alert().detectedAt(), last.seq());
    }

    String encode() {
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString((detectedAt + "|" + seq).getBytes(StandardCharsets.UTF_8));
    }

    static Cursor decode(String text) {
      try {
        String[] parts =
            new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8).split("\\|", 2);
        return new Cursor(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
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

  /** The store query: one row more than a page, to know whether another page follows. */
  AlertStore.Filter filter() {
    return new AlertStore.Filter(
        from == null ? null : from.toEpochMilli(),
        to == null ? null : to.toEpochMilli(),
        minSeverity,
        rule,
        principal,
        org,
        limit + 1,
        cursor == null ? null : new AlertStore.Position(cursor.detectedAt(), cursor.seq()));
  }

  record Page(List<AlertHistory.Entry> entries, String nextCursor) {}
}
