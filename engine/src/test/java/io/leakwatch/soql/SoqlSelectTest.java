package io.leakwatch.soql;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
  void notAQueryIsNull() {
    assertNull(SoqlSelect.parse(null));
    assertNull(SoqlSelect.parse("UPDATE nothing"));
    assertNull(SoqlSelect.parse("SELECT Id"));
  }
}
