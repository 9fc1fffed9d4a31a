package io.leakwatch.loginpoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leakwatch.cep.TopicTypes;
import io.leakwatch.pubsub.ReceivedEvent;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A LoginHistory row as the REST API returns it, read as a LoginEvent. */
class LoginHistoryRowTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode row(String json) throws Exception {
    return JSON.readTree(json);
  }

  @Test
  void aRowBecomesTheLoginEventTheRulesRead() throws Exception {
    ReceivedEvent event =
        LoginHistoryRow.toEvent(
            row(
                """
                {"attributes": {"type": "LoginHistory"}, "Id": "0Ya5f00000AbCdEFGH",
                 "UserId": "0055f000003EtLjAAA", "LoginTime": "2026-03-10T06:02:03.000+0000",
                 "LoginType": "Remote Access 2.0", "LoginSubType": "OauthUsernamePassword",
                 "Status": "Success", "SourceIp": "203.0.113.40", "ApiType": "REST",
                 "AuthenticationServiceId": null, "CountryIso": "US", "Browser": null}
                """),
            7);
    assertTrue(event.decoded());
    assertEquals(TopicTypes.LOGIN_HISTORY, event.topic());
    assertEquals("0Ya5f00000AbCdEFGH", event.eventId());
    assertEquals(
        Instant.parse("2026-03-10T06:02:03Z").toEpochMilli(), event.record().get("EventDate"));
    assertEquals("0Ya5f00000AbCdEFGH", event.record().get("LoginHistoryId"));
    assertEquals("0Ya5f00000AbCdEFGH", event.record().get("EventIdentifier"));
    assertEquals("OauthUsernamePassword", event.record().get("LoginSubType"));
    assertEquals("203.0.113.40", event.record().get("SourceIp"));
    assertNull(event.record().get("Browser"));
    assertNull(event.record().get("AuthServiceId"));
    assertEquals("LoginEvent", TopicTypes.typeFor(event.topic()));
    assertNull(TopicTypes.problem(event.topic()), "a source detection accepts");
  }

  @Test
  void loginTimeWithAColonOffsetOrZuluToo() throws Exception {
    long expected = Instant.parse("2026-03-10T11:02:03Z").toEpochMilli();
    assertEquals(
        expected,
        LoginHistoryRow.loginTime(row("{\"LoginTime\": \"2026-03-10T06:02:03.000-05:00\"}")));
    assertEquals(
        expected, LoginHistoryRow.loginTime(row("{\"LoginTime\": \"2026-03-10T11:02:03Z\"}")));
  }

  @Test
  void aRowThatIsNotALoginIsHandedOnWithItsReason() throws Exception {
    ReceivedEvent noTime =
        LoginHistoryRow.toEvent(row("{\"Id\": \"0Ya5f00000AbCdEFGH\", \"LoginTime\": null}"), 1);
    assertFalse(noTime.decoded());
    assertEquals("LoginHistory row without LoginTime", noTime.failure());
    ReceivedEvent local =
        LoginHistoryRow.toEvent(
            row("{\"Id\": \"0Ya5f00000AbCdEFGH\", \"LoginTime\": \"2026-03-10T06:02:03\"}"), 1);
    assertEquals(
        "LoginHistory row whose LoginTime is not a date-time with an offset", local.failure());
    ReceivedEvent noId =
        LoginHistoryRow.toEvent(row("{\"LoginTime\": \"2026-03-10T11:02:03Z\"}"), 1);
    assertEquals("LoginHistory row without a valid Id", noId.failure());
    assertTrue(noId.eventId().startsWith("row-"), "still known by a digest: " + noId.eventId());
    assertEquals(
        noId.eventId(),
        LoginHistoryRow.key(row("{\"LoginTime\": \"2026-03-10T11:02:03Z\"}")),
        "the same row read again has the same key");
  }

  @Test
  void theQueryReadsFromTheSecondAndSelectsOnlyDocumentedFields() {
    String soql = LoginHistoryPoll.query(Instant.parse("2026-03-10T06:02:03.456Z").toEpochMilli());
    assertTrue(
        soql.endsWith(
            " FROM LoginHistory WHERE LoginTime >= 2026-03-10T06:02:03Z ORDER BY LoginTime, Id"),
        soql);
    assertTrue(soql.startsWith("SELECT Id, UserId, LoginTime, LoginType, LoginSubType,"), soql);
  }
}
