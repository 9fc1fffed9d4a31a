package io.leakwatch.cep;

import com.espertech.esper.common.client.EventPropertyDescriptor;
import com.espertech.esper.common.client.EventType;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Turns a decoded Avro record into the map Esper expects for its event type, coercing each field to
 * the type the rule pack declared. Decoding with the writer schema and mapping by field name keeps
 * schema evolution harmless: a new field is ignored, a missing one is null.
 */
public final class EventMapper {
  private record Plan(String[] names, int[] positions, Class<?>[] types) {}

  private final Map<Schema, Plan> plans = new ConcurrentHashMap<>();
  private final EventType type;

  public EventMapper(EventType type) {
    this.type = type;
  }

  public EventType type() {
    return type;
  }

  public Map<String, Object> toMap(GenericRecord record) {
    Plan plan = plans.computeIfAbsent(record.getSchema(), this::plan);
    Map<String, Object> map = new HashMap<>(plan.names.length * 2);
    for (int i = 0; i < plan.names.length; i++) {
      Object value = plan.positions[i] < 0 ? null : record.get(plan.positions[i]);
      map.put(plan.names[i], coerce(value, plan.types[i]));
    }
    return map;
  }

  /** The same for an event given as plain fields (JSON replays and rule tests). */
  public Map<String, Object> fromFields(Map<String, ?> fields) {
    EventPropertyDescriptor[] properties = type.getPropertyDescriptors();
    Map<String, Object> map = new HashMap<>(properties.length * 2);
    for (EventPropertyDescriptor property : properties) {
      map.put(
          property.getPropertyName(),
          coerce(fields.get(property.getPropertyName()), property.getPropertyType()));
    }
    return map;
  }

  private Plan plan(Schema schema) {
    EventPropertyDescriptor[] properties = type.getPropertyDescriptors();
    String[] names = new String[properties.length];
    int[] positions = new int[properties.length];
    Class<?>[] types = new Class<?>[properties.length];
    for (int i = 0; i < properties.length; i++) {
      names[i] = properties[i].getPropertyName();
      Schema.Field field = schema.getField(names[i]);
      positions[i] = field == null ? -1 : field.pos();
      types[i] = properties[i].getPropertyType();
    }
    return new Plan(names, positions, types);
  }

  static Object coerce(Object value, Class<?> target) {
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
    if (value instanceof Number n) {
      if (target == Long.class || target == long.class) {
        return n.longValue();
      }
      if (target == Double.class || target == double.class) {
        return n.doubleValue();
      }
      if (target == Integer.class || target == int.class) {
        return n.intValue();
      }
    }
    if (value instanceof CharSequence c && Number.class.isAssignableFrom(boxed(target))) {
      if ((target == Long.class || target == long.class) && c.toString().indexOf('T') > 0) {
        try {
          return java.time.Instant.parse(c.toString())
              .toEpochMilli(); // ISO-8601 datetimes in JSON events
        } catch (java.time.format.DateTimeParseException e) {
          return null;
        }
      }
      try {
        double parsed = Double.parseDouble(c.toString());
        return coerce(parsed, target);
      } catch (NumberFormatException e) {
        return null;
      }
    }
    if ((target == Boolean.class || target == boolean.class) && value instanceof Boolean) {
      return value;
    }
    return target.isInstance(value) ? value : null;
  }

  private static Class<?> boxed(Class<?> type) {
    if (type == long.class) {
      return Long.class;
    }
    if (type == int.class) {
      return Integer.class;
    }
    if (type == double.class) {
      return Double.class;
    }
    return type;
  }
}
