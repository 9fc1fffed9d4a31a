package io.leakwatch.cep;

import com.espertech.esper.common.client.EventType;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Turns a decoded Avro record (or an event given as JSON fields) into the values Esper expects for
 * its event type ({@link MappedEvent}), coercing each field to the type the rule pack declared.
 * Mapping by field name keeps schema evolution harmless: a new field (a new schema id mid-stream)
 * is ignored, a missing one is null. What cannot be read is refused with a {@link
 * BadEventException} naming the field, never guessed: an event without EventDate, a date-time
 * without a UTC offset, a number field holding text.
 */
public final class EventMapper {
  /** The field every rule's event time comes from: Salesforce fills it on every RTEM event. */
  public static final String EVENT_DATE = "EventDate";

  /** Where each of the type's properties sits in records of one Avro schema (-1: absent). */
  private record Plan(int[] positions) {}

  private final Map<Schema, Plan> plans = new ConcurrentHashMap<>();
  private final EventType type;
  private final EventShape shape;
  private final int eventDate;
  private final EventFacts facts;

  /** A mapper that adds no facts: the event's own fields only. */
  public EventMapper(EventType type) {
    this(type, null, null);
  }

  /**
   * A mapper that also adds the facts the type declares ({@code TouchesPhi}, {@code PhiObjects},
   * {@code ByIntegration}, {@code OutsideHours}), worked out from {@code org}'s profile, and {@code
   * Stream}, the channel {@code topic} names.
   */
  public EventMapper(EventType type, OrgContext org, String topic) {
    this.type = type;
    this.shape = new EventShape(type);
    this.eventDate = shape.indexOf(EVENT_DATE);
    this.facts = new EventFacts(type, shape, org, topic);
  }

  public EventType type() {
    return type;
  }

  public MappedEvent map(GenericRecord record) {
    int[] positions = plans.computeIfAbsent(record.getSchema(), this::plan).positions;
    Object[] values = new Object[positions.length];
    for (int i = 0; i < positions.length; i++) {
      if (positions[i] >= 0) {
        values[i] = coerce(shape.name(i), record.get(positions[i]), shape.type(i));
      }
    }
    return complete(values);
  }

  /** The same for an event given as plain fields (JSON replays and rule tests). */
  public MappedEvent fromFields(Map<String, ?> fields) {
    Object[] values = new Object[shape.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = coerce(shape.name(i), fields.get(shape.name(i)), shape.type(i));
    }
    return complete(values);
  }

  private MappedEvent complete(Object[] values) {
    if (eventDate < 0) {
      throw new BadEventException(
          "event type " + shape.typeName() + " declares no " + EVENT_DATE + ": rules run on it");
    }
    if (!(values[eventDate] instanceof Long time)) {
      throw new BadEventException(
          EVENT_DATE + " is missing: every event needs the time it was captured");
    }
    facts.addTo(values);
    return new MappedEvent(shape, values, time);
  }

  private Plan plan(Schema schema) {
    int[] positions = new int[shape.size()];
    for (int i = 0; i < positions.length; i++) {
      Schema.Field field = schema.getField(shape.name(i));
      positions[i] = field == null ? -1 : field.pos();
    }
    return new Plan(positions);
  }

  /**
   * ISO-8601 with an offset as {@code Z}, {@code +hh:mm} or {@code +hhmm}: the REST API and a SOQL
   * export write {@code 2026-03-09T14:00:00.000+0000}.
   */
  private static final java.time.format.DateTimeFormatter DATE_TIME =
      new java.time.format.DateTimeFormatterBuilder()
          .append(java.time.format.DateTimeFormatter.ISO_LOCAL_DATE_TIME)
          .optionalStart()
          .appendOffset("+HH:MM", "Z")
          .optionalEnd()
          .optionalStart()
          .appendOffset("+HHMM", "Z")
          .optionalEnd()
          .toFormatter(java.util.Locale.ROOT);

  /**
   * Epoch millis of a date-time given as a number or as ISO-8601 text with a UTC offset ({@code Z},
   * {@code +hh:mm} or {@code +hhmm}); a local date-time without offset is refused (whose midnight
   * would it be?).
   */
  public static long epochMillis(String field, Object value) {
    if (value instanceof Number n) {
      return n.longValue();
    }
    String text = String.valueOf(value).trim();
    try {
      return OffsetDateTime.parse(text, DATE_TIME).toInstant().toEpochMilli();
    } catch (DateTimeParseException e) {
      if (text.matches("\\d{4}-\\d{2}-\\d{2}T[0-9:.]{2,18}")) {
        // Only a value that is certainly a date-time is quoted: a reason never carries free text.
        throw new BadEventException(field + " '" + text + "' has no UTC offset (add Z or +hh:mm)");
      }
      throw new BadEventException(field + " is not an ISO-8601 date-time with an offset");
    }
  }

  static Object coerce(String field, Object value, Class<?> target) {
    if (value == null || target == null || target == Object.class) {
      return value instanceof CharSequence c ? c.toString() : value;
    }
    if (target == String.class) {
      return value instanceof CharSequence
              || value instanceof Number
              || value instanceof Boolean
              || value instanceof org.apache.avro.generic.GenericEnumSymbol<?>
          ? value.toString()
          : null;
    }
    Class<?> boxed = boxed(target);
    if (value instanceof Number n) {
      return number(n, boxed);
    }
    if (value instanceof CharSequence c && Number.class.isAssignableFrom(boxed)) {
      String text = c.toString().trim();
      if (text.isEmpty()) {
        return null;
      }
      if (boxed == Long.class && text.indexOf('T') > 0) {
        return epochMillis(field, text);
      }
      try {
        return number(Double.parseDouble(text), boxed);
      } catch (NumberFormatException e) {
        throw new BadEventException(
            field + " holds text that is not a number (" + text.length() + " characters)");
      }
    }
    if (boxed == Boolean.class) {
      if (value instanceof Boolean) {
        return value;
      }
      String text = value.toString().trim();
      if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
        return Boolean.parseBoolean(text);
      }
      throw new BadEventException(field + " is neither true nor false");
    }
    if (target.isInstance(value)) {
      return value;
    }
    throw new BadEventException(
        field + " holds " + value.getClass().getSimpleName() + ", not " + target.getSimpleName());
  }

  private static Object number(Number n, Class<?> boxed) {
    if (boxed == Long.class) {
      return n.longValue();
    }
    if (boxed == Double.class) {
      return n.doubleValue();
    }
    if (boxed == Integer.class) {
      return n.intValue();
    }
    return n;
  }

  /** The wrapper class of a primitive type (Esper declares {@code long} columns as such). */
  static Class<?> boxed(Class<?> type) {
    if (type == long.class) {
      return Long.class;
    }
    if (type == int.class) {
      return Integer.class;
    }
    if (type == double.class) {
      return Double.class;
    }
    if (type == boolean.class) {
      return Boolean.class;
    }
    return type;
  }
}
