package io.leakwatch.alert;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * HTTP POST of one JSON payload. Headers: {@code Content-Type: application/json}, {@code
 * Idempotency-Key} (the alert's delivery key, the same on every retry), {@code Leakwatch-Timestamp}
 * and, with a secret, {@code Leakwatch-Signature} (see {@link WebhookSignature}); both are computed
 * afresh for each attempt.
 *
 * <p>Outcomes: 2xx delivered. Retried: 408, 425, 429 (waiting at least its Retry-After, in seconds
 * or as an HTTP date, up to an hour), every 5xx, and connection errors and timeouts. Any other
 * status (3xx, since redirects are not followed, and 4xx) is dead: the receiver will not accept
 * this payload, so it goes to the dead-letter file with the status.
 *
 * <p>{@code timeout} bounds the whole attempt, the answer's body included, and only the first
 * {@value #ANSWER_PREFIX_BYTES} bytes of an answer are read.
 */
public final class WebhookTransport implements DeliveryTransport {
  private static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

  /** As much of an answer as is read: enough for the snippet a dead letter quotes. */
  static final int ANSWER_PREFIX_BYTES = 1_024;

  private final URI url;
  private final WebhookSignature signature;
  private final HttpClient http;
  private final Duration timeout;
  private final Clock clock;
  private final Map<String, String> headers;

  /**
   * @param signature null sends no signature (Slack incoming webhooks carry their secret in the
   *     URL)
   */
  public WebhookTransport(
      URI url, WebhookSignature signature, HttpClient http, Duration timeout, Clock clock) {
    this(url, signature, http, timeout, clock, Map.of());
  }

  /**
   * @param headers sent with every request, e.g. a collector's {@code Authorization}; values are
   *     secrets, never logged
   */
  public WebhookTransport(
      URI url,
      WebhookSignature signature,
      HttpClient http,
      Duration timeout,
      Clock clock,
      Map<String, String> headers) {
    this.headers = Map.copyOf(headers);
    this.url = url;
    this.signature = signature;
    this.http = http;
    this.timeout = timeout;
    this.clock = clock;
  }

  @Override
  public DeliveryOutcome send(String deliveryKey, String payload) {
    byte[] body = payload.getBytes(StandardCharsets.UTF_8);
    long timestamp = clock.instant().getEpochSecond();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(url)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("User-Agent", "Leakwatch/" + Product.VERSION)
            .header(WebhookSignature.IDEMPOTENCY_HEADER, deliveryKey)
            .header(WebhookSignature.TIMESTAMP_HEADER, Long.toString(timestamp))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(request::header);
    if (signature != null) {
      request.header(WebhookSignature.SIGNATURE_HEADER, signature.sign(timestamp, body));
    }
    HttpResponse<String> response;
    // The request's own timeout ends at the response headers; the whole attempt, the answer's body
    // too, must end in time, or a receiver that stalls mid-answer holds the sink's only thread.
    CompletableFuture<HttpResponse<String>> answer =
        http.sendAsync(request.build(), AnswerPrefix.handler(ANSWER_PREFIX_BYTES));
    try {
      response = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      answer.cancel(true);
      return DeliveryOutcome.retry("no complete answer within " + timeout.toSeconds() + " s");
    } catch (ExecutionException e) {
      // Connection refused, reset, TLS failure, timeout: the receiver may be back soon.
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      return DeliveryOutcome.retry(
          cause.getClass().getSimpleName()
              + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
    } catch (InterruptedException e) {
      answer.cancel(true);
      Thread.currentThread().interrupt();
      return DeliveryOutcome.retry("interrupted");
    }
    int status = response.statusCode();
    String what = "HTTP " + status + snippet(response.body());
    if (status >= 200 && status < 300) {
      return DeliveryOutcome.delivered();
    }
    if (status == 429) {
      return new DeliveryOutcome.Retry(
          what, retryAfter(response.headers().firstValue("Retry-After").orElse(null)));
    }
    if (status == 408 || status == 425 || status >= 500) {
      return DeliveryOutcome.retry(what);
    }
    return new DeliveryOutcome.Dead(what);
  }

  /** Retry-After as delay-seconds or an HTTP date; null when absent or unreadable. */
  Duration retryAfter(String header) {
    if (header == null || header.isBlank()) {
      return null;
    }
    Duration wait;
    try {
      wait = Duration.ofSeconds(Long.parseLong(header.trim()));
    } catch (NumberFormatException e) {
      try {
        wait =
            Duration.between(
                clock.instant(),
                ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant());
      } catch (DateTimeParseException e2) {
        return null;
      }
    }
    if (wait.isNegative()) {
      return Duration.ZERO;
    }
    return wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait;
  }

  /**
   * The start of the receiver's answer, for the operator reading a dead letter; one line, short.
   */
  private static String snippet(String body) {
    if (body == null || body.isBlank()) {
      return "";
    }
    String line = body.strip().replaceAll("\\s+", " ");
    return ": " + (line.length() > 200 ? line.substring(0, 200) + "…" : line);
  }
}
