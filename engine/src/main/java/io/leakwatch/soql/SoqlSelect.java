package io.leakwatch.soql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The shape of a SOQL query, never its values: the object of the outer FROM, the fields of the
 * outer SELECT list and the subqueries in it. Literals (patient names, dates) are not kept.
 * Functions and relationship paths are reduced to what they read: {@code COUNT(Id)} reads Id,
 * {@code Account.Name} reads the relationship Account. A subquery of the select list ({@code
 * (SELECT LastName, SSN__c FROM Contacts)}) is a {@code SoqlSelect} of its own whose object is the
 * child relationship's name ({@code Contacts}, {@code Patient_Records__r}), not the object's: the
 * query text does not say which object that is. {@code FIELDS(ALL)}, {@code FIELDS(STANDARD)} and
 * {@code FIELDS(CUSTOM)} read every field of their kind: the field {@code *}.
 *
 * <p>A keyword counts only as a whole word: letters, digits and {@code _} make up identifiers, so
 * {@code From_Date__c}, {@code My_From__c} or {@code Select__c} are names, never SELECT or FROM.
 * Anything else (blanks, newlines, tabs, parentheses, commas) ends a word.
 */
public record SoqlSelect(String object, List<String> fields, List<SoqlSelect> subqueries) {
  /** The field a {@code FIELDS(...)} item reads: every field (of its kind). */
  public static final String ALL_FIELDS = "*";

  /** Parses the outer SELECT … FROM …; null when the text is not a SOQL query. */
  public static SoqlSelect parse(String soql) {
    if (soql == null) {
      return null;
    }
    return parseStripped(stripLiterals(soql));
  }

  private static SoqlSelect parseStripped(String text) {
    String upper = text.toUpperCase(Locale.ROOT);
    int select = indexOfWord(upper, "SELECT", 0);
    if (select < 0) {
      return null;
    }
    int depth = 0;
    int from = -1;
    for (int i = select + 6; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (depth == 0 && upper.startsWith("FROM", i) && boundary(upper, i, 4)) {
        from = i;
        break;
      }
    }
    if (from < 0) {
      return null;
    }
    String object = firstWord(text.substring(from + 4));
    if (object.isEmpty() || !Character.isLetter(object.charAt(0))) {
      return null; // an object's API name starts with a letter: anything else is no name
    }
    List<String> fields = new ArrayList<>();
    List<SoqlSelect> subqueries = new ArrayList<>();
    for (String item : splitTopLevel(text.substring(select + 6, from))) {
      String trimmed = item.trim();
      SoqlSelect subquery = subquery(trimmed);
      if (subquery != null) {
        subqueries.add(subquery);
        continue;
      }
      String field = field(trimmed);
      if (field != null && !fields.contains(field)) {
        fields.add(field);
      }
    }
    return new SoqlSelect(object, List.copyOf(fields), List.copyOf(subqueries));
  }

  /** Replaces quoted literals so nothing inside them is ever parsed, kept or returned. */
  private static String stripLiterals(String soql) {
    StringBuilder out = new StringBuilder(soql.length());
    boolean quoted = false;
    for (int i = 0; i < soql.length(); i++) {
      char c = soql.charAt(i);
      if (quoted) {
        if (c == '\\' && i + 1 < soql.length()) {
          i++;
        } else if (c == '\'') {
          quoted = false;
          out.append('\'');
        }
      } else {
        if (c == '\'') {
          quoted = true;
          out.append("'");
        } else {
          out.append(c);
        }
      }
    }
    return out.toString();
  }

  private static List<String> splitTopLevel(String list) {
    List<String> items = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < list.length(); i++) {
      char c = list.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ',' && depth == 0) {
        items.add(list.substring(start, i));
        start = i + 1;
      }
    }
    items.add(list.substring(start));
    return items;
  }

  /** A parenthesised {@code SELECT … FROM relationship} item of the select list, or null. */
  private static SoqlSelect subquery(String item) {
    if (!item.startsWith("(")) {
      return null;
    }
    int depth = 0;
    for (int i = 0; i < item.length(); i++) {
      char c = item.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')' && --depth == 0) {
        return parseStripped(item.substring(1, i));
      }
    }
    return parseStripped(item.substring(1)); // unbalanced: the text Salesforce logged was cut
  }

  /** The field an item of the select list reads, or null (a subquery, TYPEOF, a literal). */
  private static String field(String item) {
    if (item.isEmpty()
        || item.startsWith("(")
        || (item.toUpperCase(Locale.ROOT).startsWith("TYPEOF") && boundary(item, 0, 6))) {
      return null;
    }
    int open = item.indexOf('(');
    if (open > 0 && item.substring(0, open).trim().equalsIgnoreCase("FIELDS")) {
      return ALL_FIELDS; // FIELDS(ALL|STANDARD|CUSTOM): standard fields hold PHI too (Birthdate)
    }
    if (open > 0) {
      int close = item.indexOf(')', open);
      item =
          close > open ? item.substring(open + 1, close).trim() : item.substring(open + 1).trim();
    }
    String name = firstWord(item);
    if (name.isEmpty() || !Character.isLetter(name.charAt(0))) {
      return null;
    }
    int dot = name.indexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }

  private static String firstWord(String text) {
    String trimmed = text.trim();
    int end = 0;
    while (end < trimmed.length()
        && (identifierPart(trimmed.charAt(end)) || trimmed.charAt(end) == '.')) {
      end++;
    }
    return trimmed.substring(0, end);
  }

  private static int indexOfWord(String upper, String word, int from) {
    for (int i = upper.indexOf(word, from); i >= 0; i = upper.indexOf(word, i + 1)) {
      if (boundary(upper, i, word.length())) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Whether {@code text[at, at + length)} is a whole word: no identifier character on either side
   * ({@code _} included, so the FROM of {@code From_Date__c} is not a word of its own).
   */
  private static boolean boundary(String text, int at, int length) {
    boolean before = at == 0 || !identifierPart(text.charAt(at - 1));
    boolean after = at + length >= text.length() || !identifierPart(text.charAt(at + length));
    return before && after;
  }

  /** A character of a SOQL identifier: a letter, a digit or {@code _}. */
  private static boolean identifierPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_';
  }
}
