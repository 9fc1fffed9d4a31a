package io.leakwatch.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A request body checked before anything acts on it: valid UTF-8 (an approver the audit log cannot
 * spell is refused, not recorded as replacement characters), a JSON object with only the keys the
 * route knows (a misspelt key is an error, not a default), and short, printable text fields.
 * Anything else throws {@link Invalid}, which the API answers with 400.
 */
final class RequestBody {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final JsonNode root;

  private RequestBody(JsonNode root) {
    this.root = root;
  }

  /**
   * @param example a valid body, quoted in the error message
   */
  static RequestBody parse(Buffer body, Set<String> allowedKeys, String example) {
    if (body == null || body.length() == 0) {
      return new RequestBody(JSON.createObjectNode());
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(body.getBytes()))
              .toString();
    } catch (CharacterCodingException e) {
      throw new Invalid("the body is not valid UTF-8");
    }
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (Exception e) {
      throw new Invalid("the body must be a JSON object such as " + example);
    }
    if (root == null || !root.isObject()) {
      throw new Invalid("the body must be a JSON object such as " + example);
    }
    List<String> unknown = new ArrayList<>();
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowedKeys.contains(name)) {
        unknown.add(name);
      }
    }
    if (!unknown.isEmpty()) {
      throw new Invalid(
          "unknown key"
              + (unknown.size() == 1 ? " " : "s ")
              + unknown.stream().map(RequestBody::shown).toList()
              + "; allowed: "
              + allowedKeys.stream().sorted().toList());
    }
    return new RequestBody(root);
  }

  boolean has(String key) {
    return root.hasNonNull(key);
  }

  JsonNode node(String key) {
    return root.path(key);
  }

  /** A text field, stripped; "" when absent. Must be a string of printable characters. */
  String text(String key, int maxLength) {
    JsonNode node = root.get(key);
    if (node == null || node.isNull()) {
      return "";
    }
    if (!node.isTextual()) {
      throw new Invalid(key + ": must be a string");
    }
    String value = node.asText().strip();
    if (value.codePointCount(0, value.length()) > maxLength) {
      throw new Invalid(key + ": at most " + maxLength + " characters");
    }
    if (value.codePoints().anyMatch(c -> Character.isISOControl(c) || c == 0xFFFD)) {
      throw new Invalid(key + ": must not contain control or replacement characters");
    }
    return value;
  }

  /** A key as an error message may show it: short, printable. */
  private static String shown(String key) {
    String cleaned =
        key.codePoints()
            .filter(c -> !Character.isISOControl(c))
            .limit(40)
            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
            .toString();
    return cleaned.length() < key.length() ? cleaned + "…" : cleaned;
  }

  /** A body the route cannot accept; the message says what is wrong, for a 400. */
  static final class Invalid extends IllegalArgumentException {
    Invalid(String message) {
      super(message);
    }
  }
}
