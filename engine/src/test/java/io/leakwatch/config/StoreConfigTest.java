package io.leakwatch.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.engine.Durability;
import io.leakwatch.store.Fence;
import io.leakwatch.store.StoreSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code store:} key decides where each org's checkpoint, ledger and learned state live, and
 * {@code config check} says so (never with the password).
 */
class StoreConfigTest {
  @TempDir Path dir;

  private EngineConfig parse(String store) {
    try {
      java.nio.file.Files.writeString(dir.resolve("profile.yaml"), "");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return EngineConfig.parse(
        """
        orgs:
          - name: acme-prod
            endpoint: {host: api.pubsub.salesforce.com, port: 7443}
            auth: {accessToken: t0ken-value, instanceUrl: https://acme.my.salesforce.com, tenantId: 00Dxx}
            topics: [/event/ApiEventStream]
            profile: profile.yaml
        state: state
        %s
        """
            .formatted(store),
        "c.yaml",
        dir,
        Map.of("PGPASSWORD", "hunter2-pg-secret"));
  }

  @Test
  void withPostgresEveryOrgKeepsItsStateInTheStoreUnderItsName() {
    EngineConfig config =
        parse(
            "store: {kind: postgres, url: 'jdbc:postgresql://db:5432/lw', user: lw, password:"
                + " '${PGPASSWORD}'}");
    Durability durability = config.orgs().get(0).durability();
    assertTrue(durability.shared());
    assertEquals("acme-prod", durability.org());
    assertEquals(StoreSettings.Kind.POSTGRES, durability.store().kind());
    assertEquals(dir.resolve("state/acme-prod"), durability.stateDir(), "journal and cursor");
    assertNull(durability.fence(), "one node: unconditional writes");
    assertEquals(
        new Fence("acme-prod", 3), durability.withFence(new Fence("acme-prod", 3)).fence());

    List<String> summary = config.summary();
    String text = String.join("\n", summary);
    assertFalse(text.contains("hunter2"), text);
    assertTrue(
        text.contains(
            "  state: checkpoint, alert ledger and learned state in postgres"
                + " jdbc:postgresql://db:5432/lw as lw (key acme-prod); processed journal and"
                + " LoginHistory cursor in "
                + dir.resolve("state/acme-prod")
                + "; dead letters: "),
        text);
    assertTrue(
        summary.contains(
            "store: postgres jdbc:postgresql://db:5432/lw as lw: alert history, and each org's"
                + " checkpoint, alert ledger and learned state, shared by every node"),
        text);
  }

  @Test
  void secretsInTheStoreUrlNeverReachTheSummaryNorAnError() {
    EngineConfig config =
        parse(
            "store: {kind: postgres, url:"
                + " 'jdbc:postgresql://lw:${PGPASSWORD}@db:5432/lw?sslmode=verify-full&sslpassword=${PGPASSWORD}',"
                + " user: lw, password: '${PGPASSWORD}'}");
    String text = String.join("\n", config.summary());
    assertFalse(text.contains("hunter2"), text);
    assertTrue(
        text.contains(
            "store: postgres jdbc:postgresql://db:5432/lw (parameters sslmode, sslpassword: values"
                + " not shown) as lw"),
        text);
    StoreSettings store = config.orgs().get(0).durability().store();
    assertFalse(store.describe().contains("hunter2"), store.describe());
    assertFalse(store.toString().contains("hunter2"), store.toString());
  }

  @Test
  void byDefaultStateStaysInFilesInEachOrgsFolderAsBefore() {
    EngineConfig config = parse("");
    Durability durability = config.orgs().get(0).durability();
    assertFalse(durability.shared());
    assertEquals(dir.resolve("state/acme-prod/checkpoint.json"), durability.checkpointFile());
    List<String> summary = config.summary();
    assertTrue(
        String.join("\n", summary)
            .contains(
                "  state: "
                    + dir.resolve("state/acme-prod")
                    + " (checkpoint, alert ledger, learned state); dead letters: "),
        summary.toString());
    assertTrue(
        summary.stream()
            .anyMatch(
                line ->
                    line.startsWith("store: embedded (")
                        && line.endsWith(
                            "alert history; each org's checkpoint, alert ledger and learned state"
                                + " are files in its state folder")),
        summary.toString());
  }
}
