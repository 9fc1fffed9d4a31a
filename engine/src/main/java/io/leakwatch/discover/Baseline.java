package io.leakwatch.discover;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the org looked like when its profile was discovered, beside the profile ({@code
 * org-profile.discovery.json} next to {@code org-profile.yaml}): the facts the profile format has
 * no key for, which {@code profile diff} compares with the org today. Ids and permission names
 * only.
 *
 * @param criticalHolders user id → critical permissions held
 */
public record Baseline(
    String orgId,
    long discoveredAt,
    Set<String> integrationUsers,
    Map<String, Set<String>> criticalHolders) {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public static Baseline of(DiscoveredOrg org) {
    Set<String> users = new TreeSet<>();
    org.integrations().forEach(i -> users.add(i.userId()));
    Map<String, Set<String>> holders = new TreeMap<>();
    org.criticalHolders().forEach((user, perms) -> holders.put(user, new TreeSet<>(perms)));
    return new Baseline(org.orgId(), org.historyTo(), users, holders);
  }

  /** Where the baseline of {@code profile} lives: same folder, {@code .discovery.json}. */
  public static Path beside(Path profile) {
    String name = profile.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return profile.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".discovery.json");
  }

  public void write(Path file) throws IOException {
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(temp, JSON.writeValueAsString(this));
    Files.move(
        temp,
        file,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** The baseline in {@code file}, or null when there is none. */
  public static Baseline read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    return JSON.readValue(file.toFile(), Baseline.class);
  }
}
