package io.leakwatch.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leakwatch.pubsub.ReplayId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checkpoint file of one org: every topic's position, replaced atomically (write a temporary
 * file, force it to disk, rename over the old one, force the folder) so a crash at any moment
 * leaves either the old or the new checkpoint, never half of one.
 */
public final class CheckpointStore implements Checkpoints {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;

  public CheckpointStore(Path file) {
    this.file = file;
  }

  public Path file() {
    return file;
  }

  /**
   * What a checkpoint file holds: the positions that read, and for each topic whose entry does not,
   * why. One bad entry costs only its own topic.
   */
  public record Loaded(Map<String, Checkpoint> positions, Map<String, String> unreadable) {}

  /**
   * Saved positions by topic; empty when there is no checkpoint yet. Throws only when the file as a
   * whole is not a checkpoint; a topic whose entry is unreadable is listed in {@link
   * Loaded#unreadable()} and the others are kept.
   */
  @Override
  public Loaded loadEach() throws CorruptCheckpointException {
    if (!Files.exists(file)) {
      return new Loaded(Map.of(), Map.of());
    }
    JsonNode root;
    try {
      root = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException | IllegalArgumentException e) {
      throw new CorruptCheckpointException(file + ": unreadable checkpoint: " + e.getMessage());
    }
    if (root == null || root.path("version").asInt() != 1 || !root.path("topics").isObject()) {
      throw new CorruptCheckpointException(file + ": not a Leakwatch checkpoint (version 1)");
    }
    Map<String, Checkpoint> out = new LinkedHashMap<>();
    Map<String, String> unreadable = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.get("topics").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      try {
        out.put(entry.getKey(), checkpoint(entry.getKey(), entry.getValue()));
      } catch (IllegalArgumentException e) {
        unreadable.put(entry.getKey(), e.getMessage());
      }
    }
    return new Loaded(out, unreadable);
  }

  /**
   * Saved positions by topic; empty when there is no checkpoint yet; throws if any is unreadable.
   */
  public Map<String, Checkpoint> load() throws CorruptCheckpointException {
    Loaded loaded = loadEach();
    if (!loaded.unreadable().isEmpty()) {
      throw new CorruptCheckpointException(file + ": unreadable positions: " + loaded.unreadable());
    }
    return loaded.positions();
  }

  private static Checkpoint checkpoint(String topic, JsonNode t) {
    if (!t.isObject()) {
      throw new IllegalArgumentException("not an object");
    }
    for (String time : List.of("resumeEventTime", "lastEventTime")) {
      if (t.has(time) && !t.get(time).canConvertToLong()) {
        throw new IllegalArgumentException(time + " is not a number");
      }
    }
    return new Checkpoint(
        topic,
        replayId(t.get("resumeAfter")),
        t.path("resumeEventTime").asLong(),
        replayId(t.get("lastProcessed")),
        t.path("lastEventTime").asLong());
  }

  /** Copies the file aside, as it is, so an unreadable entry can be inspected; says where. */
  @Override
  public String keepCopy() throws IOException {
    Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + System.currentTimeMillis());
    Files.copy(file, aside);
    return aside.toString();
  }

  @Override
  public String describe() {
    return file.toString();
  }

  private static ReplayId replayId(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw new IllegalArgumentException("a replay id is not a hex string: " + node.getNodeType());
    }
    return ReplayId.fromHex(node.asText());
  }

  @Override
  public void save(Map<String, Checkpoint> checkpoints) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", 1);
    root.put("savedAt", Instant.now().toString());
    ObjectNode topics = root.putObject("topics");
    checkpoints.forEach(
        (topic, c) -> {
          ObjectNode t = topics.putObject(topic);
          t.put("resumeAfter", c.resumeAfter() == null ? null : c.resumeAfter().toHex());
          t.put("resumeEventTime", c.resumeEventTime());
          t.put("lastProcessed", c.lastProcessed() == null ? null : c.lastProcessed().toHex());
          t.put("lastEventTime", c.lastEventTime());
        });
    DurableFile.replace(file, JSON.writeValueAsBytes(root));
  }

  /** A checkpoint file that exists but cannot be read. */
  public static final class CorruptCheckpointException extends Exception {
    public CorruptCheckpointException(String message) {
      super(message);
    }
  }
}
