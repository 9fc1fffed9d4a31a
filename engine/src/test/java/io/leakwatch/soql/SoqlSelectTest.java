package io.leakwatch.soql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class SoqlSelectTest {
  @Test
  void readsTheOuterSelectListAndFromObject() {
    SoqlSelect select =
        SoqlSelect.parse(
            "SELECT Id, FirstName, Account.Name, COUNT(Email), toLabel(Status__c) FROM Contact WHERE x = 1");
    assertEquals("Contact", select.object());
    assertEquals(List.of("Id", "FirstName", "Account", "Email", "Status__c"), select.fields());
  }

  @Test
  void skipsSubqueriesAndNeverLooksInsideLiterals() {
    SoqlSelect select =
        SoqlSelect.parse(
            "select Id, (SELECT Id, Body FROM Notes), Name from Patient_Record__c where Name = 'SELECT SSN__c FROM Contact, O\\'Brien'");
    assertEquals("Patient_Record__c", select.object());
    assertEquals(List.of("Id", "Name"), select.fields());
  }

  @Test
  void aSubqueryOfTheSelectListIsReadWithItsOwnFieldsAndRelationship() {
    SoqlSelect select =
        SoqlSelect.parse(
            "SELECT Id, (SELECT Id, LastName, SSN__c FROM Contacts WHERE LastName = 'Doe'),"
                + " (select FIELDS(ALL) from Patient_Records__r limit 5), Name FROM Account");
    assertEquals(List.of("Id", "Name"), select.fields());
    assertEquals(2, select.subqueries().size());
    assertEquals("Contacts", select.subqueries().get(0).object());
    assertEquals(List.of("Id", "LastName", "SSN__c"), select.subqueries().get(0).fields());
    assertEquals("Patient_Records__r", select.subqueries().get(1).object());
    assertEquals(List.of(SoqlSelect.ALL_FIELDS), select.subqueries().get(1).fields());
  }

  @Test
  void notAQueryIsNull() {
    assertNull(SoqlSelect.parse(null));
    assertNull(SoqlSelect.parse("UPDATE nothing"));
    assertNull(SoqlSelect.parse("SELECT Id"));
  }

  @Test
  void aFieldNamedLikeAKeywordIsAFieldNotTheFrom() {
    SoqlSelect select =
        SoqlSelect.parse("SELECT Id, From_Date__c, Diagnosis__c FROM Patient_Record__c");
    assertEquals("Patient_Record__c", select.object());
    assertEquals(List.of("Id", "From_Date__c", "Diagnosis__c"), select.fields());
  }

  @Test
  void identifiersHoldingKeywordsAreNeverKeywords() {
    SoqlSelect select =
        SoqlSelect.parse(
            "SELECT Select__c, My_From__c, fromDate, Where_Seen__c, Typeof_Flag__c,"
                + " Account.From_Org__c, ns__From__c FROM Patient_Record__c WHERE My_From__c = 'x'");
    assertEquals("Patient_Record__c", select.object());
    assertEquals(
        List.of(
            "Select__c",
            "My_From__c",
            "fromDate",
            "Where_Seen__c",
            "Typeof_Flag__c",
            "Account",
            "ns__From__c"),
        select.fields());
    assertEquals("From__c", SoqlSelect.parse("SELECT Id FROM From__c").object());
    assertEquals("Select_Log__c", SoqlSelect.parse("SELECT Id FROM Select_Log__c").object());
    assertNull(SoqlSelect.parse("Select__c From_Date__c"), "no SELECT and no FROM keyword");
    assertNull(SoqlSelect.parse("SELECT Id, From_Date__c"), "a field is not a FROM");
    assertNull(SoqlSelect.parse("_SELECT Id FROM Contact"), "not the keyword SELECT");
  }

  @Test
  void keywordsNextToParenthesesCommasNewlinesAndTabsStillCount() {
    SoqlSelect select = SoqlSelect.parse("SELECT\tId,\nName\r\nFROM\tContact\nWHERE Id != null");
    assertEquals("Contact", select.object());
    assertEquals(List.of("Id", "Name"), select.fields());

    assertEquals("Contact", SoqlSelect.parse("SELECT COUNT()FROM Contact").object());
    SoqlSelect sub = SoqlSelect.parse("SELECT Name,(SELECT Id FROM Notes)FROM Account");
    assertEquals("Account", sub.object());
    assertEquals(List.of("Name"), sub.fields());
    SoqlSelect typed =
        SoqlSelect.parse(
            "SELECT TYPEOF What WHEN Account THEN Name END,Id FROM Event WHERE From_Date__c > TODAY");
    assertEquals("Event", typed.object());
    assertEquals(List.of("Id"), typed.fields(), "TYPEOF is still the keyword");
    assertEquals("Contact", SoqlSelect.parse("(SELECT Id FROM Contact)").object());
    assertEquals("Case", SoqlSelect.parse("select id,subject from Case").object());
  }

  @Test
  void fieldsFunctionReadsEveryField() {
    // SOQL reference, FIELDS(): ALL, STANDARD and CUSTOM select every field of that kind.
    assertEquals(
        List.of("*"), SoqlSelect.parse("SELECT FIELDS(ALL) FROM Contact LIMIT 200").fields());
    assertEquals(
        List.of("Id", "*"),
        SoqlSelect.parse("SELECT Id, fields( standard ) FROM Contact").fields());
    assertEquals(List.of("*"), SoqlSelect.parse("SELECT FIELDS(CUSTOM) FROM Contact").fields());
  }

  @Test
  void literalsNeverComeOutWhateverTheKeywordsAroundThem() {
    String[] queries = {
      "SELECT Id, From_Date__c FROM Patient_Record__c WHERE Name = 'FROM Jane_Doe'",
      "SELECT Id FROM Contact WHERE Name = 'O\\'Brien FROM Secret' AND From_Date__c = 2020-01-01",
      "SELECT Id, My_From__c FROM 'Jane Doe'",
      "SELECT Id FROM 19800101",
      "SELECT 'Jane Doe' FROM Contact",
    };
    for (String query : queries) {
      SoqlSelect select = SoqlSelect.parse(query);
      if (select == null) {
        continue;
      }
      String out = select.object() + " " + select.fields();
      for (String secret : List.of("Jane", "Doe", "Brien", "Secret", "1980", "2020")) {
        assertFalse(out.contains(secret), query + " gave " + out);
      }
    }
    assertNotNull(SoqlSelect.parse(queries[0]));
    assertEquals("Patient_Record__c", SoqlSelect.parse(queries[0]).object());
    assertNull(SoqlSelect.parse("SELECT Id FROM 19800101"), "an object name starts with a letter");
  }
}
