package io.leakwatch.cep;

import com.espertech.esper.common.client.EventType;

/**
 * Facts about an event that several rules need, worked out once from the org profile before the
 * event reaches Esper: which PHI objects it touches, whether an integration did it, whether it
 * falls outside the principal's hours. Rules then filter on plain properties ({@code
 * ApiEvent(TouchesPhi)}) that Esper evaluates without calling into the profile from every
 * statement. A type gets only the facts it declares in the pack (events.epl), so a pack that
 * declares none pays nothing.
 *
 * <p>The PHI objects come from {@code QueriedEntities}; a type without that field but with a SOQL
 * {@code Query} (BulkApiResultEvent: a Bulk job's query is all it says of what it read) gets them
 * from the query's objects, its relationship paths and subqueries, parsed once here rather than by
 * every rule that reads the download.
 */
final class EventFacts {
  static final String PHI_OBJECTS = "PhiObjects";
  static final String TOUCHES_PHI = "TouchesPhi";
  static final String BY_INTEGRATION = "ByIntegration";
  static final String OUTSIDE_HOURS = "OutsideHours";
  static final String STREAM = "Stream";

  private final OrgContext org;
  private final String stream;
  // Where the facts go (-1: the type does not declare it, or there is no org to work it out from)
  // and where the fields they come from are.
  private final int streamAt;
  private final int phiObjectsAt;
  private final int touchesPhiAt;
  private final int integrationAt;
  private final int hoursAt;
  private final int entitiesAt;
  private final int queryAt;
  private final int userAt;
  private final int dateAt;

  /**
   * @param topic the channel the events come from ({@code /event/LoginEventStream}, or the
   *     LoginHistory poll's source), named in {@code Stream} where the type declares it; null for
   *     none
   */
  EventFacts(EventType type, EventShape shape, OrgContext org, String topic) {
    this.org = org;
    boolean streamDeclared = declares(type, STREAM, String.class);
    boolean phiDeclared = declares(type, PHI_OBJECTS, String.class);
    boolean touchesDeclared = declares(type, TOUCHES_PHI, Boolean.class);
    boolean integrationDeclared = declares(type, BY_INTEGRATION, Boolean.class);
    boolean hoursDeclared = declares(type, OUTSIDE_HOURS, Boolean.class);
    this.stream = topic != null && streamDeclared ? TopicTypes.streamName(topic) : null;
    this.streamAt = stream != null ? shape.indexOf(STREAM) : -1;
    boolean withOrg = org != null;
    this.phiObjectsAt = withOrg && phiDeclared ? shape.indexOf(PHI_OBJECTS) : -1;
    this.touchesPhiAt = withOrg && touchesDeclared ? shape.indexOf(TOUCHES_PHI) : -1;
    this.integrationAt = withOrg && integrationDeclared ? shape.indexOf(BY_INTEGRATION) : -1;
    this.hoursAt = withOrg && hoursDeclared ? shape.indexOf(OUTSIDE_HOURS) : -1;
    this.entitiesAt = shape.indexOf("QueriedEntities");
    this.queryAt = entitiesAt < 0 ? shape.indexOf("Query") : -1;
    this.userAt = shape.indexOf("UserId");
    this.dateAt = shape.indexOf(EventMapper.EVENT_DATE);
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
   * Adds the declared facts to a mapped event's values; what the payload said under those names is
   * replaced.
   */
  void addTo(Object[] values) {
    if (streamAt >= 0) {
      values[streamAt] = stream;
    }
    if (phiObjectsAt >= 0 || touchesPhiAt >= 0) {
      String objects =
          queryAt >= 0
              ? org.phiObjectOfQuery((String) values[queryAt])
              : org.phiObjects(entitiesAt < 0 ? null : (String) values[entitiesAt]);
      if (phiObjectsAt >= 0) {
        values[phiObjectsAt] = objects;
      }
      if (touchesPhiAt >= 0) {
        values[touchesPhiAt] = !objects.isEmpty();
      }
    }
    String user = null;
    if (userAt >= 0 && org != null) {
      user = org.sameUserId((String) values[userAt]);
      values[userAt] = user;
    }
    if (integrationAt >= 0) {
      values[integrationAt] = org.isIntegration(user);
    }
    if (hoursAt >= 0 && dateAt >= 0 && values[dateAt] instanceof Long time) {
      values[hoursAt] = org.isOutsideHours(user, time);
    }
  }
}
