package io.leakwatch.binding;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads configuration YAML into typed records: unknown keys rejected, no silent coercion (a quoted
 * number, a float for a whole number), {@link Range}s checked, and every problem a {@link
 * ConfigException} in the {@code file: key: problem} form. {@code ${NAME}} is replaced once, over
 * the whole tree, before binding ({@link #substitute}).
 */
public final class ConfigBinder {
  private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .build();

  private ConfigBinder() {}

  /** The YAML document as a tree; null for an empty document. */
  public static JsonNode read(String yaml, String source) {
    try {
      return YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new ConfigException(source, null, "not valid YAML: " + e.getOriginalMessage());
    }
  }

  /**
   * The one {@code ${NAME}} pass: a copy of {@code node} with each {@code ${NAME}} in a text value
   * replaced by the environment variable NAME. An unset variable, or a value that is empty once
   * replaced, is an error naming the key (never the value).
   *
   * @param at the key of {@code node} in the file, "" for the root
   */
  public static JsonNode substitute(
      JsonNode node, String source, String at, Map<String, String> env) {
    if (node == null) {
      return null;
    }
    if (node.isTextual()) {
      String raw = node.asText();
      Matcher m = ENV.matcher(raw);
      if (!m.find()) {
        return node;
      }
      StringBuilder out = new StringBuilder();
      do {
        String value = env.get(m.group(1));
        if (value == null) {
          throw new ConfigException(
              source, at, "environment variable " + m.group(1) + " is not set");
        }
        m.appendReplacement(out, Matcher.quoteReplacement(value));
      } while (m.find());
      m.appendTail(out);
      if (out.toString().isBlank()) {
        throw new ConfigException(source, at, "must not be empty");
      }
      return TextNode.valueOf(out.toString());
    }
    if (node.isArray()) {
      ArrayNode copy = ((ArrayNode) node).arrayNode();
      for (int i = 0; i < node.size(); i++) {
        copy.add(substitute(node.get(i), source, at + "[" + i + "]", env));
      }
      return copy;
    }
    if (node.isObject()) {
      ObjectNode copy = ((ObjectNode) node).objectNode();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        copy.set(
            field.getKey(),
            substitute(
                field.getValue(),
                source,
                at.isEmpty() ? field.getKey() : at + "." + field.getKey(),
                env));
      }
      return copy;
    }
    return node;
  }

  /**
   * {@code node} (already substituted) bound to {@code type}, with every {@link Range} checked.
   *
   * @param at the key of {@code node} in the file, "" for the root
   */
  public static <T> T bind(JsonNode node, Class<T> type, String source, String at) {
    T value;
    try {
      value = MAPPER.treeToValue(node, type);
    } catch (JsonMappingException e) {
      throw translate(e, type, source, at);
    } catch (JsonProcessingException e) {
      throw new ConfigException(source, at.isEmpty() ? null : at, e.getOriginalMessage());
    }
    checkRanges(value, source, at);
    return value;
  }

  private static ConfigException translate(
      JsonMappingException e, Class<?> root, String source, String at) {
    StringBuilder key = new StringBuilder(at);
    Type type = root;
    RecordComponent component = null;
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        key.append(key.length() == 0 ? "" : ".").append(ref.getFieldName());
        component = component(type, ref.getFieldName());
        type = component == null ? null : component.getGenericType();
      } else {
        key.append('[').append(ref.getIndex()).append(']');
        component = null;
        type = elementType(type);
      }
    }
    String where = key.length() == 0 ? null : key.toString();
    if (e instanceof UnrecognizedPropertyException unknown) {
      TreeSet<String> known = new TreeSet<>();
      Collection<Object> ids = unknown.getKnownPropertyIds();
      ids.forEach(id -> known.add(id.toString()));
      return new ConfigException(source, where, "unknown key (expected one of " + known + ")");
    }
    if (e instanceof InvalidTypeIdException invalid) {
      return new ConfigException(
          source, where == null ? "type" : where + ".type", invalid.getOriginalMessage());
    }
    if (e instanceof MismatchedInputException mismatch) {
      Class<?> target = mismatch.getTargetType();
      if (target == null && type != null) {
        target = raw(type);
      }
      return new ConfigException(source, where, expectation(target, component));
    }
    return new ConfigException(source, where, e.getOriginalMessage());
  }

  /** What a value of {@code target} must look like, in the words the configuration uses. */
  private static String expectation(Class<?> target, RecordComponent component) {
    if (target == null) {
      return "has the wrong type";
    }
    if (target == Boolean.class || target == boolean.class) {
      return "must be true or false";
    }
    if (target == Long.class
        || target == long.class
        || target == Integer.class
        || target == int.class) {
      Range range = component == null ? null : component.getAnnotation(Range.class);
      return range == null
          ? "must be a whole number"
          : "must be a whole number from " + range.min() + " to " + range.max();
    }
    if (target == String.class) {
      return "must be a single value, not a list or mapping";
    }
    if (List.class.isAssignableFrom(target) || Collection.class.isAssignableFrom(target)) {
      return "must be a list";
    }
    return "must be a mapping";
  }

  private static RecordComponent component(Type type, String name) {
    Class<?> raw = type == null ? null : raw(type);
    if (raw == null) {
      return null;
    }
    if (raw.isInterface() && raw.isSealed()) {
      for (Class<?> kind : raw.getPermittedSubclasses()) {
        RecordComponent found = component(kind, name);
        if (found != null) {
          return found;
        }
      }
      return null;
    }
    if (!raw.isRecord()) {
      return null;
    }
    for (RecordComponent c : raw.getRecordComponents()) {
      if (c.getName().equals(name)) {
        return c;
      }
    }
    return null;
  }

  private static Type elementType(Type type) {
    return type instanceof ParameterizedType p && p.getActualTypeArguments().length == 1
        ? p.getActualTypeArguments()[0]
        : null;
  }

  private static Class<?> raw(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    return null;
  }

  /** Every {@link Range} of {@code value} and the records within it. */
  private static void checkRanges(Object value, String source, String at) {
    if (value == null) {
      return;
    }
    if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        checkRanges(list.get(i), source, at + "[" + i + "]");
      }
      return;
    }
    if (!value.getClass().isRecord()) {
      return;
    }
    for (RecordComponent c : value.getClass().getRecordComponents()) {
      Object field;
      try {
        java.lang.reflect.Method accessor = c.getAccessor();
        // Sections are often package-private records of the package that owns them.
        accessor.setAccessible(true);
        field = accessor.invoke(value);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
      String key = at.isEmpty() ? c.getName() : at + "." + c.getName();
      Range range = c.getAnnotation(Range.class);
      if (range != null && field instanceof Number n) {
        if (n.longValue() < range.min() || n.longValue() > range.max()) {
          throw new ConfigException(
              source, key, "must be a whole number from " + range.min() + " to " + range.max());
        }
      }
      checkRanges(field, source, key);
    }
  }
}
