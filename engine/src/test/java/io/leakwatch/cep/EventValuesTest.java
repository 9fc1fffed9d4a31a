package io.leakwatch.cep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The documented value domains of the RTEM fields (salesforce-events.md §2–§7). */
class EventValuesTest {
  @Test
  void aPagedQueryCountsItsRowsOnce() {
    // 30,000 rows in 15 batches: each event carries the total in RowsProcessed.
    double perBatch = 0;
    for (int i = 0; i < 15; i++) {
      perBatch += EventValues.rowsRead(i == 0 ? "Query" : "QueryMore", 30_000d, 2_000d);
    }
    assertEquals(30_000, perBatch);
    double withoutReturned = 0;
    for (int i = 0; i < 15; i++) {
      withoutReturned += EventValues.rowsRead(i == 0 ? "Query" : "QueryMore", 30_000d, null);
    }
    assertEquals(30_000, withoutReturned);
  }

  @Test
  void rowsProcessedMinusOneIsUnknownNotNegative() {
    assertEquals(60, EventValues.rowsRead("Query", -1d, 60d));
    assertEquals(0, EventValues.rowsRead("Query", -1d, null));
    assertEquals(0, EventValues.rowsRead(null, null, null));
  }

  @Test
  void onlyLiteralAddressesAreAddresses() {
    assertTrue(EventValues.isAddress("203.0.113.10"));
    assertTrue(EventValues.isAddress("2001:db8::1"));
    assertFalse(EventValues.isAddress("Salesforce.com IP"));
    assertFalse(EventValues.isAddress(null));
    assertFalse(EventValues.isAddress(""));
    assertFalse(EventValues.isAddress("N/A"));
    assertFalse(EventValues.isAddress("localhost"), "never resolved");
  }

  @Test
  void bothApiTypeSpellingsAndBulkByPrefix() {
    assertTrue(EventValues.isBulkApi("Bulk"));
    assertTrue(EventValues.isBulkApi("Bulk API 2.0"));
    assertTrue(EventValues.isBulkApi("bulk api"));
    assertFalse(EventValues.isBulkApi("REST API"));
    assertFalse(EventValues.isBulkApi("REST"));
    assertFalse(EventValues.isBulkApi(null));
  }

  @Test
  void permissionListAsJsonArrayOrCommaList() {
    assertEquals(
        "ViewAllData,ApiEnabled", EventValues.permissionNames("[\"ViewAllData\",\"ApiEnabled\"]"));
    assertEquals("ViewAllData,ApiEnabled", EventValues.permissionNames("ViewAllData, ApiEnabled"));
    assertEquals("ViewAllData", EventValues.permissionNames("[ \"ViewAllData\" ]"));
    assertEquals("", EventValues.permissionNames(null));
    assertEquals("", EventValues.permissionNames("[]"));
  }

  @Test
  void grantsAndRemovals() {
    assertTrue(EventValues.isGrant("AssignedToUsers"));
    assertTrue(EventValues.isGrant("PermsEnabled"));
    assertTrue(EventValues.isRemoval("UnassignedFromUsers"));
    assertTrue(EventValues.isRemoval("PermsDisabled"));
    assertFalse(EventValues.isGrant("PermsDisabled"));
    assertFalse(EventValues.isRemoval(null));
  }

  @Test
  void reportExportsByOperation() {
    assertTrue(EventValues.isReportExport("ReportExported"));
    assertTrue(EventValues.isReportExport("ReportExportedAsynchronously"));
    assertTrue(EventValues.isReportExport("ReportExportedUsingExcelConnector"));
    assertFalse(EventValues.isReportExport("ReportRunFromLightning"));
    assertFalse(EventValues.isReportExport("ReportRunFromRestApi"));
    assertFalse(EventValues.isReportExport(null));
  }

  @Test
  void storedPasswordByLoginTypeOrLoginSubTypeLabelOrApiName() {
    assertTrue(EventValues.isStoredPassword("Other Apex API", null));
    assertTrue(EventValues.isStoredPassword("Partner Product", null));
    assertTrue(EventValues.isStoredPassword("Remote Access 2.0", "OauthUsernamePassword"));
    assertTrue(EventValues.isStoredPassword("Remote Access 2.0", "OAuth Username-Password Flow"));
    assertFalse(EventValues.isStoredPassword("Remote Access 2.0", "OauthJwtBearer"));
    assertFalse(EventValues.isStoredPassword("Remote Access 2.0", "OauthRefreshToken"));
    assertFalse(EventValues.isStoredPassword("Remote Access 2.0", null));
    assertFalse(EventValues.isStoredPassword("Application", null));
    assertFalse(EventValues.isStoredPassword(null, null));
  }

  @Test
  void scoresOnOneScalePerEventType() {
    assertEquals(90, EventValues.normalizedScore("SessionHijackingEvent", 0.9));
    assertEquals(50, EventValues.normalizedScore("ApiAnomalyEvent", 0.5));
    assertEquals(100, EventValues.normalizedScore("CredentialStuffingEvent", 1d));
    assertEquals(100, EventValues.normalizedScore("CredentialStuffingEvent", null));
    assertEquals(85, EventValues.normalizedScore("ReportAnomalyEvent", 85d));
    assertEquals(1, EventValues.normalizedScore("ReportAnomalyEvent", 1d), "0-100: 1 is weak");
    assertEquals(87.5, EventValues.normalizedScore("SessionHijackingEvent", 87.5));
    assertEquals(0, EventValues.normalizedScore("ApiAnomalyEvent", null));
  }

  @Test
  void loginAndGuestUserAnomalyScoreZeroToOne() {
    assertEquals(70, EventValues.normalizedScore("GuestUserAnomalyEvent", 0.7));
    assertEquals(95, EventValues.normalizedScore("LoginAnomalyEvent", 0.95));
    assertEquals(60, EventValues.normalizedScore("LoginAnomalyEvent", 60d), "already 0-100");
  }

  @Test
  void fileActionsDownloadsAndPreviewsApart() {
    assertTrue(EventValues.isFileDownload("UI_DOWNLOAD"));
    assertTrue(EventValues.isFileDownload(" api_download "));
    assertFalse(EventValues.isFileDownload("PREVIEW"));
    assertFalse(EventValues.isFileDownload("UPLOAD"));
    assertFalse(EventValues.isFileDownload(null));
    assertTrue(EventValues.isFilePreview("PREVIEW"));
    assertFalse(EventValues.isFilePreview("UI_DOWNLOAD"));
  }

  @Test
  void uiViewsAreReadsThatDidNotFail() {
    assertTrue(EventValues.isRecordRead("Read"));
    assertFalse(EventValues.isRecordRead("Update"));
    assertFalse(EventValues.isRecordRead(null));
    assertTrue(EventValues.isFailure("FAILURE"));
    assertFalse(EventValues.isFailure("SUCCESS"));
    assertFalse(EventValues.isFailure(null));
  }

  @Test
  void reportRunsThroughTheRestApi() {
    assertTrue(EventValues.isApiReportRun("ReportRunFromRestApi", null));
    assertTrue(EventValues.isApiReportRun("ReportRunFromLightning", "API"));
    assertFalse(EventValues.isApiReportRun("ReportRunFromLightning", "Lightning"));
    assertFalse(EventValues.isApiReportRun("ReportExported", null));
    assertFalse(EventValues.isApiReportRun(null, null));
  }

  @Test
  void countsSentAsText() {
    assertEquals(3, EventValues.countOf("3"));
    assertEquals(0, EventValues.countOf(null));
    assertEquals(0, EventValues.countOf("many"));
  }

  @Test
  void evidenceIds() {
    assertArrayEquals(
        new String[] {"t1", "e1", "e2"}, EventValues.ids("t1", new Object[] {"e1", null, "e2"}));
    assertArrayEquals(new String[] {"t1"}, EventValues.ids("t1", null));
  }
}
