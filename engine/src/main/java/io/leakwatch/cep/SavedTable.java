package io.leakwatch.cep;

import java.util.List;

/**
 * The rows of one durable Esper table (or named window) at one instant, with the shape they were
 * saved under: a table whose shape has changed since is not restored (its rows would not fit).
 *
 * @param shape the table's declared columns, their types and key columns, e.g. {@code table
 *     PersonLogins(UserId:String key, total:Long)}
 * @param columns column names, in the order of each row's values
 * @param rows the values (String, Long, Integer, Double, Boolean or null)
 */
public record SavedTable(String shape, List<String> columns, List<List<Object>> rows) {
  public SavedTable {
    columns = List.copyOf(columns);
    rows = List.copyOf(rows);
  }
}
