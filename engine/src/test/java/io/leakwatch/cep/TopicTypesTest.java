package io.leakwatch.cep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TopicTypesTest {
  @Test
  void channelsMapToTheirEventTypes() {
    assertEquals("ApiEvent", TopicTypes.typeFor("/event/ApiEventStream"));
    assertEquals("PermissionSetEvent", TopicTypes.typeFor("/event/PermissionSetEvent"));
    assertNull(TopicTypes.problem("/event/ApiEventStream"));
    assertNull(TopicTypes.problem("/event/SessionHijackingEvent"));
  }

  @Test
  void theStoredObjectIsNotAChannel() {
    assertTrue(
        TopicTypes.problem("/event/ApiEvent").contains("subscribe to /event/ApiEventStream"),
        TopicTypes.problem("/event/ApiEvent"));
    assertTrue(TopicTypes.problem("/event/FileEventStream").contains("/event/FileEvent"));
  }

  @Test
  void aChannelWithoutThePrefixOrMisspeltSaysSo() {
    assertTrue(
        TopicTypes.problem("ApiEventStream").contains("did you mean /event/ApiEventStream?"),
        TopicTypes.problem("ApiEventStream"));
    assertTrue(
        TopicTypes.undeclared("/event/ApiEventStrem")
            .contains("did you mean /event/ApiEventStream?"));
    assertTrue(
        TopicTypes.undeclared("/event/apieventstream")
            .contains("did you mean /event/ApiEventStream?"));
  }
}
