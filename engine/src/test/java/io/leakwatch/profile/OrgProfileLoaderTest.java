package io.leakwatch.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.cep.OrgContext;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class OrgProfileLoaderTest {
  private static final String VALID =
      """
      orgId: 00D5f000001LkWtEAK
      timeZone: America/New_York
      businessHours: {start: 07:00, end: 19:00, days: [MONDAY, FRIDAY]}
      trustedNetworks: [198.51.100.0/24, "2001:db8::/32"]
      phiObjects: [Contact, Patient_Record__c]
      integrations:
        - name: etl
          userIds: [0055f000003EtLjAAA]
          runWindow: {start: "22:00", end: "04:00"}
          maxRowsPer5Min: 5000
      """;

  @Test
  void theExampleProfileInTheReadmeLoads() {
    OrgProfile profile = OrgProfileLoader.load(Path.of("../examples/org-profile.yaml"));
    assertEquals("00D5f000001LkWtEAK", profile.orgId());
    assertEquals(2, profile.integrations().size());
  }

  @Test
  void phiObjectsKeptPerListStayRightPastTheCachesSize() {
    OrgContext org = new OrgContext(OrgProfileLoader.parse(VALID, "t.yaml"));
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < 5_000; i++) {
        assertEquals("", org.phiObjects("Account, Object" + i + "__c"));
        assertEquals("Contact", org.phiObjects("Object" + i + "__c, Contact"));
      }
    }
    assertEquals("Contact", org.phiObjects("Account,Contact"));
    assertEquals("", org.phiObjects("Account"));
  }

  @Test
  void contextAnswersTheRulesQuestions() {
    OrgContext org = new OrgContext(OrgProfileLoader.parse(VALID, "t.yaml"));
    assertTrue(org.touchesPhi("Account, Contact"));
    assertEquals("Contact", org.phiObjects("Account,Contact"));
    assertFalse(org.touchesPhi(null));
    assertTrue(org.isTrusted("198.51.100.7"));
    assertTrue(org.isTrusted("2001:db8::1"));
    assertFalse(org.isTrusted("198.51.101.7"));
    assertFalse(org.isTrusted("not-an-ip"));
    assertTrue(
        org.isIntegration("0055f000003EtLj"), "15-character ids match their 18-character form");
    assertEquals(5000, org.bulkThreshold("0055f000003EtLjAAA"));
    assertEquals(100, org.bulkThreshold("005000000000001AAA"));
    long mondayNoon =
        ZonedDateTime.of(2026, 3, 9, 12, 0, 0, 0, java.time.ZoneId.of("America/New_York"))
            .toInstant()
            .toEpochMilli();
    long mondayLate = mondayNoon + 11 * 3_600_000L;
    assertFalse(org.isOutsideHours("005000000000001AAA", mondayNoon));
    assertTrue(org.isOutsideHours("005000000000001AAA", mondayLate));
    assertTrue(
        org.isOutsideHours("0055f000003EtLjAAA", mondayNoon),
        "integration outside its 22:00-04:00 window");
    assertFalse(
        org.isOutsideHours("0055f000003EtLjAAA", mondayLate),
        "23:00 is inside a window that wraps midnight");
  }

  @Test
  void unquotedTimesAreTimesNotSexagesimalNumbers() {
    assertEquals(
        LocalTime.of(19, 0), OrgProfileLoader.parse(VALID, "t.yaml").businessHours().end());
  }

  @Test
  void errorsNameTheFileTheKeyAndTheProblem() {
    assertError(
        VALID.replace("198.51.100.0/24", "198.51.100.0/33"),
        "t.yaml: trustedNetworks[0]: '198.51.100.0/33' has a prefix length outside 0..32");
    assertError(
        VALID.replace("timeZone: America/New_York", "timeZone: Mars/Olympus"),
        "t.yaml: timeZone: 'Mars/Olympus' is not a time zone id");
    assertError(VALID.replace("phiObjects:", "phiObject:"), "t.yaml: phiObject: unknown key");
    assertError(
        VALID.replace("start: \"22:00\"", "start: \"25:00\""),
        "t.yaml: integrations[0].runWindow.start: '25:00' is not a time of day");
    assertError(
        VALID.replace("maxRowsPer5Min: 5000", "maxRowsPer5Min: -1"),
        "t.yaml: integrations[0].maxRowsPer5Min: must be a whole number above 0");
    assertError(
        VALID.replace("0055f000003EtLjAAA", "bob"),
        "t.yaml: integrations[0].userIds[0]: 'bob' is not a Salesforce user id");
    assertError("orgId: [", "t.yaml: not valid YAML");
  }

  private static void assertError(String yaml, String expectedStart) {
    ProfileException e =
        assertThrows(ProfileException.class, () -> OrgProfileLoader.parse(yaml, "t.yaml"));
    assertTrue(e.getMessage().startsWith(expectedStart), e.getMessage());
  }

  @Test
  void uiViewAndFileDownloadAllowancesHaveDefaultsAndIntegrationsDeclareDownloads() {
    OrgContext defaults = new OrgContext(OrgProfileLoader.parse(VALID, "t.yaml"));
    assertEquals(60, defaults.uiViewAllowance("005000000000001AAA"));
    assertEquals(20, defaults.fileDownloadAllowance("005000000000001AAA"));
    assertFalse(defaults.downloadsFiles("0055f000003EtLjAAA"), "not declared: false");
    OrgContext declared =
        new OrgContext(
            OrgProfileLoader.parse(
                VALID.replace(
                        "maxRowsPer5Min: 5000", "maxRowsPer5Min: 5000\n    downloadsFiles: true")
                    + "thresholds: {uiRecordViewsPer10Min: 150, fileDownloadsPer30Min: 5}\n",
                "t.yaml"));
    assertEquals(150, declared.uiViewAllowance("005000000000001AAA"));
    assertEquals(5, declared.fileDownloadAllowance("005000000000001AAA"));
    assertTrue(declared.downloadsFiles("0055f000003EtLjAAA"));
    assertEquals(
        "Patient_Record__c", declared.phiObjectOfQuery("SELECT Id FROM Patient_Record__c"));
    assertEquals("", declared.phiObjectOfQuery("SELECT Id FROM Account"));
    assertEquals(
        "Patient_Record__c",
        declared.phiObjectOfQuery("SELECT Id, From_Date__c, Diagnosis__c FROM Patient_Record__c"),
        "a field holding FROM is not the query's FROM");
    ProfileException e =
        assertThrows(
            ProfileException.class,
            () ->
                OrgProfileLoader.parse(
                    VALID.replace(
                        "maxRowsPer5Min: 5000",
                        "maxRowsPer5Min: 5000\n    downloadsFiles: yes please"),
                    "t.yaml"));
    assertTrue(e.getMessage().contains("integrations[0].downloadsFiles"), e.getMessage());
  }
}
