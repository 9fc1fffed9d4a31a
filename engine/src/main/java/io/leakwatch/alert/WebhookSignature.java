package io.leakwatch.alert;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The webhook signature: {@code Leakwatch-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." +
 * body)>} where {@code timestamp} is the {@code Leakwatch-Timestamp} header (Unix seconds) and
 * {@code body} the exact bytes of the request body. A receiver recomputes it, compares in constant
 * time, and rejects a timestamp older than its tolerance (five minutes is usual) to stop replays.
 */
public final class WebhookSignature {
  public static final String TIMESTAMP_HEADER = "Leakwatch-Timestamp";
  public static final String SIGNATURE_HEADER = "Leakwatch-Signature";
  public static final String IDEMPOTENCY_HEADER = "Idempotency-Key";
  private static final String VERSION = "v1=";

  private final byte[] secret;

  public WebhookSignature(byte[] secret) {
    if (secret.length < 16) {
      throw new IllegalArgumentException("a webhook secret needs at least 16 bytes");
    }
    this.secret = secret.clone();
  }

  public String sign(long timestampSeconds, byte[] body) {
    return VERSION + HexFormat.of().formatHex(mac(timestampSeconds, body));
  }

  /**
   * The receiver's check: the signature matches and the timestamp is within {@code
   * toleranceSeconds} of now.
   */
  public boolean verify(
      String signatureHeader,
      String timestampHeader,
      byte[] body,
      long nowSeconds,
      long toleranceSeconds) {
    if (signatureHeader == null
        || timestampHeader == null
        || !signatureHeader.startsWith(VERSION)) {
      return false;
    }
    long timestamp;
    byte[] given;
    try {
      timestamp = Long.parseLong(timestampHeader);
      given = HexFormat.of().parseHex(signatureHeader.substring(VERSION.length()));
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) {
      return false;
    }
    return MessageDigest.isEqual(given, mac(timestamp, body));
  }

  private byte[] mac(long timestampSeconds, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      mac.update((timestampSeconds + ".").getBytes(StandardCharsets.US_ASCII));
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  @Override
  public String toString() {
    return "WebhookSignature[secret=<redacted>]";
  }
}
