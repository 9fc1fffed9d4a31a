package io.leakwatch.cep;

import com.espertech.esper.common.client.EPCompiled;
import com.espertech.esper.common.client.EventBean;
import com.espertech.esper.common.client.EventType;
import com.espertech.esper.common.client.fireandforget.EPFireAndForgetPreparedQuery;
import com.espertech.esper.common.client.fireandforget.EPFireAndForgetPreparedQueryParameterized;
import com.espertech.esper.common.client.fireandforget.EPFireAndForgetQueryResult;
import com.espertech.esper.common.client.util.StatementProperty;
import com.espertech.esper.compiler.client.CompilerArguments;
import com.espertech.esper.compiler.client.EPCompileException;
import com.espertech.esper.compiler.client.EPCompilerProvider;
import com.espertech.esper.runtime.client.EPRuntime;
import com.espertech.esper.runtime.client.EPStatement;
import io.leakwatch.rulepack.RulePackException;
import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tables and named windows a pack marks durable with {@code @Tag(name='durable', value='what it
 * holds')} on their {@code create table} / {@code create window} statement: read out as rows (a
 * snapshot) and written back into a fresh runtime (a restore). Only plain columns can be written
 * back, so a durable table keeps its columns with on-merge rather than aggregation functions; a
 * durable table must also be {@code @public}, since fire-and-forget queries see only public ones.
 */
final class DurableTables {
  static final String TAG = "durable";
  private static final Pattern CREATE =
      Pattern.compile("create\\s+(table|window)\\s+(\\w+)", Pattern.CASE_INSENSITIVE);
  private static final Pattern KEY =
      Pattern.compile("(\\w+)\\s+\\w+(?:\\[\\])?\\s+primary\\s+key", Pattern.CASE_INSENSITIVE);
  private static final Set<Class<?>> PLAIN =
      Set.of(String.class, Long.class, Integer.class, Double.class, Boolean.class);

  /** One durable table: where it is declared and how to read and write it. */
  private static final class Table {
    final String ruleId;
    final String name;
    final String kind;
    final List<String> keys;
    String shape;
    List<String> columns;
    List<Class<?>> types;
    EPFireAndForgetPreparedQuery select;
    EPFireAndForgetPreparedQueryParameterized insert;

    Table(String ruleId, String name, String kind, List<String> keys) {
      this.ruleId = ruleId;
      this.name = name;
      this.kind = kind;
      this.keys = keys;
    }
  }

  private final EPRuntime runtime;
  private final Map<String, Table> tables = new LinkedHashMap<>();
  private boolean prepared;

  DurableTables(EPRuntime runtime) {
    this.runtime = runtime;
  }

  /** Registers the statement if it creates a table or window marked durable. */
  void consider(String ruleId, String origin, EPStatement statement) {
    if (!isDurable(statement.getAnnotations())) {
      return;
    }
    String epl = String.valueOf(statement.getProperty(StatementProperty.EPL));
    Matcher create = CREATE.matcher(epl);
    if (!create.find()) {
      throw RulePackException.at(
          origin,
          0,
          "@Tag(name='durable') marks statement '"
              + statement.getName()
              + "', which creates no table or named window");
    }
    List<String> keys = new ArrayList<>();
    for (Matcher key = KEY.matcher(epl); key.find(); ) {
      keys.add(key.group(1));
    }
    String name = create.group(2);
    String id = id(ruleId, name);
    if (tables.containsKey(id)) {
      throw RulePackException.at(origin, 0, "durable table " + name + " is declared twice");
    }
    tables.put(id, new Table(ruleId, name, create.group(1).toLowerCase(), List.copyOf(keys)));
  }

  private static boolean isDurable(Annotation[] annotations) {
    for (Annotation annotation : annotations) {
      if (annotation instanceof com.espertech.esper.common.client.annotation.Tag tag
          && TAG.equals(tag.name())) {
        return true;
      }
    }
    return false;
  }

  /** The saved key of a table: the rule that declares it and its name. */
  static String id(String ruleId, String name) {
    return (ruleId == null ? "shared" : ruleId) + "/" + name;
  }

  boolean isEmpty() {
    return tables.isEmpty();
  }

  /** Durable table ids and their shapes, compiling the queries that read and write them. */
  Map<String, String> shapes() {
    prepare();
    Map<String, String> out = new LinkedHashMap<>();
    tables.forEach((id, t) -> out.put(id, t.shape));
    return out;
  }

  /**
   * Compiles, once, a select and an insert per table. Fails with a clear message for a table whose
   * rows cannot be written back (an aggregation column, a column of another type, not public).
   */
  private void prepare() {
    if (prepared) {
      return;
    }
    CompilerArguments args = new CompilerArguments(runtime.getConfigurationDeepCopy());
    args.getPath().add(runtime.getRuntimePath());
    for (Table t : tables.values()) {
      String where = "rule " + t.ruleId + ", durable " + t.kind + " " + t.name;
      try {
        EPCompiled select = compile("select * from " + t.name, args);
        t.select = runtime.getFireAndForgetService().prepareQuery(select);
        EventType type = runtime.getFireAndForgetService().executeQuery(select).getEventType();
        t.columns = List.of(type.getPropertyNames());
        t.types = new ArrayList<>();
        List<String> described = new ArrayList<>();
        List<String> params = new ArrayList<>();
        for (String column : t.columns) {
          Class<?> javaType = EventMapper.boxed(type.getPropertyType(column));
          if (!PLAIN.contains(javaType)) {
            throw new RulePackException(
                where
                    + ": column "
                    + column
                    + " is of type "
                    + type.getPropertyType(column)
                    + "; only plain string, long, int, double and boolean columns can be saved"
                    + " (keep aggregates with on-merge)");
          }
          t.types.add(javaType);
          described.add(
              column + ":" + javaType.getSimpleName() + (t.keys.contains(column) ? " key" : ""));
          params.add("?::" + javaType.getName());
        }
        t.shape = t.kind + " " + t.name + "(" + String.join(", ", described) + ")";
        EPCompiled insert =
            compile(
                "insert into "
                    + t.name
                    + "("
                    + String.join(", ", t.columns)
                    + ") values ("
                    + String.join(", ", params)
                    + ")",
                args);
        t.insert = runtime.getFireAndForgetService().prepareQueryWithParameters(insert);
      } catch (EPCompileException e) {
        throw new RulePackException(
            where
                + " cannot be saved and restored (declare it @public, with plain columns kept by"
                + " on-merge): "
                + e.getMessage());
      }
    }
    prepared = true;
  }

  private static EPCompiled compile(String query, CompilerArguments args)
      throws EPCompileException {
    return EPCompilerProvider.getCompiler().compileQuery(query, args);
  }

  /** Every durable table's rows now. */
  Map<String, SavedTable> snapshot() {
    prepare();
    Map<String, SavedTable> out = new LinkedHashMap<>();
    for (Map.Entry<String, Table> entry : tables.entrySet()) {
      Table t = entry.getValue();
      EPFireAndForgetQueryResult result = t.select.execute();
      List<List<Object>> rows = new ArrayList<>();
      for (EventBean row : result.getArray()) {
        List<Object> values = new ArrayList<>(t.columns.size());
        for (String column : t.columns) {
          values.add(row.get(column));
        }
        rows.add(java.util.Collections.unmodifiableList(values));
      }
      out.put(entry.getKey(), new SavedTable(t.shape, t.columns, rows));
    }
    return out;
  }

  /**
   * Writes saved rows back. A table saved under another shape, or not durable in this pack, is left
   * as it is; each is named in the result with the reason.
   */
  List<String> restore(Map<String, SavedTable> saved) {
    prepare();
    List<String> skipped = new ArrayList<>();
    for (Map.Entry<String, SavedTable> entry : saved.entrySet()) {
      Table t = tables.get(entry.getKey());
      SavedTable rows = entry.getValue();
      if (t == null) {
        skipped.add(
            entry.getKey() + ": no longer a durable table of the pack; its saved rows are dropped");
        continue;
      }
      if (!t.shape.equals(rows.shape())) {
        skipped.add(
            entry.getKey()
                + ": its shape changed (saved "
                + rows.shape()
                + ", now "
                + t.shape
                + "); it starts empty and learns again");
        continue;
      }
      for (List<Object> row : rows.rows()) {
        for (int i = 0; i < t.columns.size(); i++) {
          t.insert.setObject(i + 1, coerce(row.get(i), t.types.get(i)));
        }
        runtime.getFireAndForgetService().executeQuery(t.insert);
      }
    }
    return skipped;
  }

  /** A saved value as its column's type (a number read back from JSON may be narrower). */
  private static Object coerce(Object value, Class<?> type) {
    if (value instanceof Number n && !type.isInstance(value)) {
      if (type == Long.class) {
        return n.longValue();
      }
      if (type == Integer.class) {
        return n.intValue();
      }
      if (type == Double.class) {
        return n.doubleValue();
      }
    }
    if (value != null && !type.isInstance(value)) {
      throw new IllegalArgumentException(
          "a saved value of type "
              + value.getClass().getSimpleName()
              + " is not a "
              + type.getSimpleName());
    }
    return value;
  }
}
