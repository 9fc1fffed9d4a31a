package io.leakwatch.discover;

import com.fasterxml.jackson.databind.JsonNode;
import io.leakwatch.rest.QueryException;
import io.leakwatch.rest.SoqlClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The org's PHI objects and fields, from each field's data classification (FieldDefinition {@code
 * ComplianceGroup} and {@code SecurityClassification}, Tooling API). An object whose every
 * non-system field is PHI gets no field list: the whole object counts, as the profile format says.
 *
 * @param objects objects with at least one PHI field
 * @param fields per object whose PHI is only some of its fields, those fields
 * @param fieldsRead field definitions read (all objects)
 */
public record PhiCatalog(
    Set<String> objects, Map<String, List<String>> fields, int entitiesRead, int fieldsRead) {
  /** Fields every object has, never data a person typed: they never decide "whole object". */
  static final Set<String> SYSTEM_FIELDS =
      Set.of(
          "Id",
          "IsDeleted",
          "OwnerId",
          "RecordTypeId",
          "CreatedDate",
          "CreatedById",
          "LastModifiedDate",
          "LastModifiedById",
          "SystemModstamp",
          "LastActivityDate",
          "LastViewedDate",
          "LastReferencedDate",
          "MasterRecordId");

  /** Objects per FieldDefinition query: FieldDefinition must be filtered by entity. */
  static final int ENTITIES_PER_QUERY = 50;

  public static PhiCatalog read(SoqlClient soql, DiscoverySettings settings)
      throws DiscoveryFailure, InterruptedException {
    List<String> entities = new ArrayList<>();
    try {
      for (JsonNode row :
          soql.toolingQueryAll(
              "SELECT QualifiedApiName FROM EntityDefinition WHERE IsCustomizable = true")) {
        String name = row.path("QualifiedApiName").asText("");
        if (name.matches("[A-Za-z][A-Za-z0-9_]*")) {
          entities.add(name);
        }
      }
    } catch (QueryException e) {
      throw DiscoveryFailure.of("reading EntityDefinition (Tooling API)", e);
    }
    Map<String, Set<String>> phi = new TreeMap<>();
    Map<String, Integer> dataFields = new TreeMap<>();
    int read = 0;
    for (int i = 0; i < entities.size(); i += ENTITIES_PER_QUERY) {
      List<String> batch = entities.subList(i, Math.min(entities.size(), i + ENTITIES_PER_QUERY));
      StringBuilder in = new StringBuilder();
      for (String entity : batch) {
        in.append(in.length() == 0 ? "" : ", ").append('\'').append(entity).append('\'');
      }
      List<JsonNode> rows;
      try {
        rows =
            soql.toolingQueryAll(
                "SELECT EntityDefinition.QualifiedApiName, QualifiedApiName, ComplianceGroup,"
                    + " SecurityClassification FROM FieldDefinition"
                    + " WHERE EntityDefinition.QualifiedApiName IN ("
                    + in
                    + ")");
      } catch (QueryException e) {
        throw DiscoveryFailure.of("reading FieldDefinition (Tooling API)", e);
      }
      for (JsonNode row : rows) {
        read++;
        String entity = row.path("EntityDefinition").path("QualifiedApiName").asText("");
        String field = row.path("QualifiedApiName").asText("");
        if (entity.isEmpty() || field.isEmpty()) {
          continue;
        }
        if (!SYSTEM_FIELDS.contains(field)) {
          dataFields.merge(entity, 1, Integer::sum);
        }
        if (settings.isPhi(
            text(row.path("ComplianceGroup")), text(row.path("SecurityClassification")))) {
          phi.computeIfAbsent(entity, e -> new TreeSet<>()).add(field);
        }
      }
    }
    Map<String, List<String>> partial = new TreeMap<>();
    phi.forEach(
        (entity, fields) -> {
          long data = fields.stream().filter(f -> !SYSTEM_FIELDS.contains(f)).count();
          if (data < dataFields.getOrDefault(entity, 0)) {
            partial.put(entity, List.copyOf(fields));
          }
        });
    return new PhiCatalog(new TreeSet<>(phi.keySet()), partial, entities.size(), read);
  }

  private static String text(JsonNode node) {
    return node.isNull() || node.isMissingNode() ? null : node.asText();
  }

  /** Whether {@code object} is a PHI object (case-insensitive, as the rules match). */
  public boolean isPhiObject(String object) {
    return object != null && objects.stream().anyMatch(o -> o.equalsIgnoreCase(object.trim()));
  }
}
