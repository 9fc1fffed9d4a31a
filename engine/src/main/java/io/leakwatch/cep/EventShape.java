package io.leakwatch.cep;

import com.espertech.esper.common.client.EventPropertyDescriptor;
import com.espertech.esper.common.client.EventType;
import com.espertech.esper.common.internal.event.arr.ObjectArrayEventType;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The properties of one event type in the order its events carry their values. An object-array type
 * (the pack's events.epl) takes the values as they are, read by index; a map type (a user pack's
 * {@code create map schema}) gets them as a map when it is sent.
 */
public final class EventShape {
  private final String typeName;
  private final String[] names;
  private final Class<?>[] types;
  private final boolean objectArray;
  private final Map<String, Integer> indexes = new HashMap<>();

  public EventShape(EventType type) {
    this.typeName = type.getName();
    this.objectArray = type instanceof ObjectArrayEventType;
    EventPropertyDescriptor[] properties = type.getPropertyDescriptors();
    this.names = new String[properties.length];
    this.types = new Class<?>[properties.length];
    Map<String, Integer> arrayIndexes =
        objectArray ? ((ObjectArrayEventType) type).getPropertiesIndexes() : null;
    for (int i = 0; i < properties.length; i++) {
      String name = properties[i].getPropertyName();
      int index = arrayIndexes == null ? i : arrayIndexes.get(name);
      names[index] = name;
      types[index] = properties[i].getPropertyType();
      indexes.put(name, index);
    }
  }

  public String typeName() {
    return typeName;
  }

  /** Whether Esper takes this type's events as object arrays (else as maps). */
  public boolean objectArray() {
    return objectArray;
  }

  int size() {
    return names.length;
  }

  String name(int index) {
    return names[index];
  }

  Class<?> type(int index) {
    return types[index];
  }

  /** The index of a property, or -1 when the type does not declare it. */
  public int indexOf(String name) {
    Integer index = indexes.get(name);
    return index == null ? -1 : index;
  }

  /** The values as a map of property names, for a map type or a caller that reads by name. */
  public Map<String, Object> asMap(Object[] values) {
    Map<String, Object> map = new HashMap<>(names.length * 2);
    for (int i = 0; i < names.length; i++) {
      map.put(names[i], values[i]);
    }
    return map;
  }

  @Override
  public String toString() {
    return typeName + Arrays.toString(names);
  }
}
