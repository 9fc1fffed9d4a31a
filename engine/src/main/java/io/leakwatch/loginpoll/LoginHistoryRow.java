package io.leakwatch.loginpoll;

import com.fasterxml.jackson.databind.JsonNode;
import io.leakwatch.cep.TopicTypes;
import io.leakwatch.pubsub.ReceivedEvent;
import io.leakwatch.rest.LoginHistoryFields;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * A LoginHistory row as the LoginEvent the rules read: {@code Id} becomes LoginHistoryId (and the
 * event's identifier, the alert's evidence), {@code LoginTime} becomes EventDate; fields both
 * objects document keep their name ({@code AuthenticationServiceId} is LoginEvent's AuthServiceId).
 * LoginHistory has no session or login key, no username and no user type: those stay null. A row
 * without a readable Id or LoginTime becomes an undecoded event with the reason, for the pipeline
 * to dead-letter: never dropped, never guessed.
 */
public final class LoginHistoryRow {
  /**
   * The LoginHistory fields the poll selects: all documented on the object (API 51.0 and later).
   */
  public static final List<String> FIELDS =
      List.of(
          "Id",
          "UserId",
          "LoginTime",
          "LoginType",
          "LoginSubType",
          "Status",
          "SourceIp",
          "LoginUrl",
          "Application",
          "Browser",
          "Platform",
          "ApiType",
          "ApiVersion",
          "AuthMethodReference",
          "AuthenticationServiceId",
          "CountryIso",
          "LoginGeoId",
          "TlsProtocol",
          "CipherSuite");

  /** Text fields carried over under the same name. */
  private static final List<String> SAME_NAME = LoginHistoryFields.SHARED_WITH_LOGIN_EVENT;

  static final Schema SCHEMA = schema();
  static final String SCHEMA_ID = "LoginHistory-v1";
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9]{15}([A-Za-z0-9]{3})?");

  /** REST answers {@code 2026-03-10T01:02:03.000+0000}: an offset without a colon. */
  private static final Pattern COMPACT_OFFSET = Pattern.compile("([+-]\\d{2})(\\d{2})$");

  private LoginHistoryRow() {}

  /** The row's key for de-duplication: its Id, or a digest of a row with no usable Id. */
  public static String key(JsonNode row) {
    String id = row.path("Id").asText("");
    return ID.matcher(id).matches() ? id : "row-" + digest(row.toString());
  }

  /** LoginTime in epoch millis, or null when it is missing or unreadable. */
  public static Long loginTime(JsonNode row) {
    JsonNode value = row.path("LoginTime");
    if (!value.isTextual()) {
      return null;
    }
    try {
      String text = COMPACT_OFFSET.matcher(value.asText().trim()).replaceFirst("$1:$2");
      return OffsetDateTime.parse(text).toInstant().toEpochMilli();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** The row as a LoginEvent, or an undecoded event saying why it cannot be one. */
  public static ReceivedEvent toEvent(JsonNode row, long receivedNanos) {
    String key = key(row);
    if (key.startsWith("row-")) {
      return failed(key, "LoginHistory row without a valid Id", receivedNanos);
    }
    Long time = loginTime(row);
    if (time == null) {
      return failed(
          key,
          row.path("LoginTime").isMissingNode() || row.path("LoginTime").isNull()
              ? "LoginHistory row without LoginTime"
              : "LoginHistory row whose LoginTime is not a date-time with an offset",
          receivedNanos);
    }
    GenericRecord record = new GenericData.Record(SCHEMA);
    record.put("EventDate", time);
    record.put("CreatedDate", time);
    record.put("EventIdentifier", key);
    record.put("LoginHistoryId", key);
    for (String field : SAME_NAME) {
      JsonNode value = row.path(field);
      record.put(field, value.isValueNode() && !value.isNull() ? value.asText() : null);
    }
    JsonNode service = row.path("AuthenticationServiceId");
    record.put("AuthServiceId", service.isTextual() ? service.asText() : null);
    return new ReceivedEvent(
        TopicTypes.LOGIN_HISTORY, null, key, SCHEMA_ID, record, null, receivedNanos);
  }

  private static ReceivedEvent failed(String key, String reason, long receivedNanos) {
    return new ReceivedEvent(
        TopicTypes.LOGIN_HISTORY, null, key, SCHEMA_ID, null, reason, receivedNanos);
  }

  private static Schema schema() {
    SchemaBuilder.FieldAssembler<Schema> fields =
        SchemaBuilder.record("LoginHistoryLogin")
            .namespace("io.leakwatch.loginpoll")
            .fields()
            .requiredLong("EventDate")
            .requiredLong("CreatedDate")
            .requiredString("EventIdentifier")
            .requiredString("LoginHistoryId")
            .optionalString("AuthServiceId");
    for (String field : SAME_NAME) {
      fields = fields.optionalString(field);
    }
    return fields.endRecord();
  }

  private static String digest(String text) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
