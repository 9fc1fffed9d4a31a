package io.leakwatch.cep;

import com.espertech.esper.common.client.EventType;
import java.util.Map;

/**
 * Facts about an event that several rules need, worked out once from the org profile before the
 * event reaches Esper: which PHI objects it touches, whether an integration did it, whether it
 * falls outside the principal's hours. Rules then filter on plain properties ({@code
 * ApiEvent(TouchesPhi)}) that Esper evaluates without calling into the profile from every
 * statement. A type gets only the facts it declares in the pack (events.epl), so a pack that
 * declares none pays nothing.
 */
final class EventFacts {
  static final String PHI_OBJECTS = "PhiObjects";
  static final String TOUCHES_PHI = "TouchesPhi";
  static final String BY_INTEGRATION = "ByIntegration";
  static final String OUTSIDE_HOURS = "OutsideHours";
  static final String STREAM = "Stream";

  private final OrgContext org;
  private final boolean phi;
  private final boolean integration;
  private final boolean hours;
  private final String stream;

  /**
   * @param topic the channel the events come from ({@code /event/LoginEventStream}, or the
   *     LoginHistory poll's source), named in {@code Stream} where the type declares it; null for
   *     none
   */
  EventFacts(EventType type, OrgContext org, String topic) {
    this.org = org;
    this.stream =
        topic != null && declares(type, STREAM, String.class) ? TopicTypes.streamName(topic) : null;
    this.phi =
        org != null
            && (declares(type, PHI_OBJECTS, String.class)
                || declares(type, TOUCHES_PHI, Boolean.class));
    this.integration = org != null && declares(type, BY_INTEGRATION, Boolean.class);
    this.hours = org != null && declares(type, OUTSIDE_HOURS, Boolean.class);
  }

  private static boolean declares(EventType type, String name, Class<?> javaType) {
    Class<?> declared = type.getPropertyType(name);
    if (declared == null) {
      return false;
    }
    Class<?> boxed = EventMapper.boxed(declared);
    if (!boxed.equals(javaType)) {
      throw new IllegalArgumentException(
          "event type "
              + type.getName()
              + " declares "
              + name
              + " as "
              + declared.getSimpleName()
              + "; the engine fills it as "
              + javaType.getSimpleName());
    }
    return true;
  }

  /**
   * Adds the declared facts to a mapped event; what the payload said under those names is replaced.
   */
  Map<String, Object> addTo(Map<String, Object> event) {
    if (stream != null) {
      event.put(STREAM, stream);
    }
    if (phi) {
      String objects = org.phiObjects((String) event.get("QueriedEntities"));
      event.put(PHI_OBJECTS, objects);
      event.put(TOUCHES_PHI, !objects.isEmpty());
    }
    if (integration || hours) {
      String user = (String) event.get("UserId");
      if (integration) {
        event.put(BY_INTEGRATION, org.isIntegration(user));
      }
      if (hours && event.get(EventMapper.EVENT_DATE) instanceof Long time) {
        event.put(OUTSIDE_HOURS, org.isOutsideHours(user, time));
      }
    }
    return event;
  }
}
