package io.leakwatch.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the LoginHistory poll stands: the LoginTime it has read up to, and the logins taken at or
 * after the oldest time it will read again (its own, and the stream's), so a restart neither
 * repeats a login nor loses one that shares the last LoginTime. Kept in two places: with every
 * learned-state snapshot (as it stood at the snapshot's instant, which is what a restart from that
 * snapshot resumes from), and in the org's state folder after every round (for a start without
 * learned state). The file is replaced atomically; an unreadable one is moved aside and the poll
 * starts from its lookback, never from nothing.
 *
 * @param readUpTo LoginTime (epoch millis) of the newest row processed; every older row is taken
 */
public record LoginCursor(long readUpTo, Map<String, SeenLogin> seen) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public LoginCursor {
    // In the order taken: the oldest entries are the first dropped when there are too many.
    seen = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(seen));
  }

  /** The file in {@code stateDir}. */
  public static Path file(Path stateDir) {
    return stateDir.resolve("loginhistory-cursor.json");
  }

  /**
   * The saved cursor, or null when there is none.
   *
   * @throws IOException when the file exists but cannot be read as a cursor (the message says why)
   */
  public static LoginCursor load(Path file) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    }
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (IOException e) {
      throw new IOException(file + " is not JSON");
    }
    if (root == null || root.path("version").asInt() != 1) {
      throw new IOException(file + " is not a version 1 LoginHistory cursor");
    }
    try {
      return fromJson(root);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage());
    }
  }

  /**
   * Reads the cursor's fields from {@code node} (the file's document, or the part of learned state
   * that holds it).
   *
   * @throws IllegalArgumentException saying which field is wrong
   */
  public static LoginCursor fromJson(JsonNode node) {
    if (!node.path("readUpTo").isTextual()) {
      throw new IllegalArgumentException("readUpTo is not an instant");
    }
    long readUpTo;
    try {
      readUpTo = Instant.parse(node.path("readUpTo").asText()).toEpochMilli();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("readUpTo is not an instant");
    }
    Map<String, SeenLogin> seen = new LinkedHashMap<>();
    for (JsonNode entry : node.path("seen")) {
      String id = entry.path("id").asText("");
      String source = entry.path("source").asText("");
      if (id.isEmpty()
          || !entry.path("time").canConvertToLong()
          || !(source.equals(SeenLogin.POLL) || source.equals(SeenLogin.STREAM))) {
        throw new IllegalArgumentException("an entry of seen is malformed");
      }
      seen.put(id, new SeenLogin(entry.path("time").asLong(), source));
    }
    return new LoginCursor(readUpTo, seen);
  }

  /** Writes the cursor's fields into {@code node}. */
  public void toJson(ObjectNode node) {
    node.put("readUpTo", Instant.ofEpochMilli(readUpTo).toString());
    ArrayNode list = node.putArray("seen");
    seen.forEach(
        (id, s) -> list.addObject().put("id", id).put("time", s.time()).put("source", s.source()));
  }

  /** Writes the cursor (temporary file, fsync, atomic rename). */
  public void save(Path file) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", 1);
    toJson(root);
    DurableFile.replace(file, JSON.writeValueAsBytes(root));
  }

  /** Moves an unreadable cursor aside so it can be inspected; returns where it went. */
  public static Path quarantine(Path file) throws IOException {
    Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + System.currentTimeMillis());
    Files.move(file, aside);
    return aside;
  }
}
