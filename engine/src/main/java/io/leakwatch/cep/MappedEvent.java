package io.leakwatch.cep;

import java.util.Map;

/**
 * One event mapped to its Esper type: its values in the order of the type's {@link EventShape}
 * (EventDate always set, facts added).
 */
public record MappedEvent(EventShape shape, Object[] values, long eventDate) {
  /** The value of a property, or null when the type does not declare it. */
  public Object get(String name) {
    int index = shape.indexOf(name);
    return index < 0 ? null : values[index];
  }

  /** Whether the type declares a property of that name. */
  public boolean declares(String name) {
    return shape.indexOf(name) >= 0;
  }

  public Map<String, Object> asMap() {
    return shape.asMap(values);
  }
}
