package io.leakwatch.cep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TopicTypesTest {
  @Test
  void channelsMapToTheirEventTypes() {
    assertEquals("ApiEvent", TopicTypes.typeFor("/event/ApiEventStream"));
    assertEquals("PermissionSetEvent", TopicTypes.typeFor("/event/PermissionSetEvent"));
    assertNull(TopicTypes.problem("/event/ApiEventStream"));
    assertNull(TopicTypes.problem("/event/SessionHijackingEvent"));
    assertEquals("LightningUriEvent", TopicTypes.typeFor("/event/LightningUriEventStream"));
    assertEquals("UriEvent", TopicTypes.typeFor("/event/UriEventStream"));
    assertEquals("LoginAsEvent", TopicTypes.typeFor("/event/LoginAsEventStream"));
    assertEquals("FileEvent", TopicTypes.typeFor("/event/FileEvent"));
    assertEquals("BulkApiResultEvent", TopicTypes.typeFor("/event/BulkApiResultEvent"));
    assertEquals("LoginAnomalyEvent", TopicTypes.typeFor("/event/LoginAnomalyEvent"));
    assertEquals("GuestUserAnomalyEvent", TopicTypes.typeFor("/event/GuestUserAnomalyEvent"));
    for (String channel :
        List.of(
            "/event/LightningUriEventStream",
            "/event/UriEventStream",
            "/event/LoginAsEventStream",
            "/event/FileEvent",
            "/event/BulkApiResultEvent",
            "/event/LoginAnomalyEvent",
            "/event/GuestUserAnomalyEvent")) {
      assertNull(TopicTypes.problem(channel), channel);
    }
  }

  @Test
  void theStoreObjectsAreNotChannels() {
    assertTrue(
        TopicTypes.problem("/event/FileEventStore").contains("subscribe to /event/FileEvent"),
        TopicTypes.problem("/event/FileEventStore"));
    assertTrue(
        TopicTypes.problem("/event/BulkApiResultEventStore")
            .contains("subscribe to /event/BulkApiResultEvent"));
    assertTrue(
        TopicTypes.problem("/event/LightningUriEvent")
            .contains("subscribe to /event/LightningUriEventStream"));
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
