package io.leakwatch.rulepack;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Loads a rule pack: a folder with {@code pack.yaml}, shared {@code *.epl} modules and pack-wide
 * {@code *.drl} decisions (correlation) at its root, and one sub-folder per rule holding {@code
 * rule.yaml}, {@code detect.epl} and optionally {@code decide.drl}. The default pack is the same
 * layout on the classpath under {@code leakwatch/rules}.
 */
public final class RulePackLoader {
  public static final String DEFAULT_PACK_RESOURCE = "leakwatch/rules/pack.yaml";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Set<String> RULE_KEYS =
      Set.of("id", "title", "severity", "description", "attack", "controls");

  private RulePackLoader() {}

  /** The pack that ships inside the build. */
  public static RulePack defaultPack() {
    URL marker = RulePackLoader.class.getClassLoader().getResource(DEFAULT_PACK_RESOURCE);
    if (marker == null) {
      throw new RulePackException(
          "the default rule pack is not on the classpath ("
              + DEFAULT_PACK_RESOURCE
              + "); point the engine at a rules folder instead");
    }
    try {
      String where =
          "jar".equals(marker.getProtocol())
              ? " (" + marker.getPath().replaceFirst("!.*", "") + ")"
              : "";
      return load(ClasspathFolder.of(marker), "default pack" + where);
    } catch (IOException e) {
      throw new RulePackException(
          "cannot open the default rule pack at " + marker + ": " + e.getMessage(), e);
    }
  }

  /** A pack in a folder on disk. */
  public static RulePack fromDirectory(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new RulePackException(dir + ": rules folder does not exist");
    }
    return load(dir, dir.toString());
  }

  private static RulePack load(Path root, String origin) {
    Path packFile = root.resolve("pack.yaml");
    if (!Files.isRegularFile(packFile)) {
      throw new RulePackException(
          origin + ": no pack.yaml (a rules folder needs one, with name and version)");
    }
    JsonNode pack = yaml(packFile);
    String name = requiredText(pack, "name", packFile);
    String version = requiredText(pack, "version", packFile);
    MessageDigest digest = sha256();
    List<RuleDefinition.Source> shared = new ArrayList<>();
    List<RuleDefinition.Source> decisions = new ArrayList<>();
    List<RuleDefinition> rules = new ArrayList<>();
    try (Stream<Path> entries = Files.list(root)) {
      List<Path> sorted =
          entries
              .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
              .toList();
      hash(digest, root, packFile);
      for (Path entry : sorted) {
        String fileName = entry.getFileName().toString().replace("/", "");
        if (Files.isRegularFile(entry) && fileName.endsWith(".epl")) {
          shared.add(source(entry));
          hash(digest, root, entry);
        } else if (Files.isRegularFile(entry) && fileName.endsWith(".drl")) {
          decisions.add(source(entry));
          hash(digest, root, entry);
        } else if (Files.isDirectory(entry) && Files.isRegularFile(entry.resolve("rule.yaml"))) {
          rules.add(rule(entry, fileName));
          try (Stream<Path> files = Files.walk(entry)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
              hash(digest, root, file);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new RulePackException(origin + ": cannot read: " + e.getMessage(), e);
    }
    Set<String> ids = new TreeSet<>();
    for (RuleDefinition rule : rules) {
      if (!ids.add(rule.id())) {
        throw new RulePackException(
            origin + ": rule id " + rule.id() + " is used by more than one rule folder");
      }
    }
    if (rules.isEmpty()) {
      throw new RulePackException(origin + ": no rules (expected sub-folders with rule.yaml)");
    }
    return new RulePack(
        origin,
        name,
        version,
        HexFormat.of().formatHex(digest.digest()),
        List.copyOf(shared),
        List.copyOf(decisions),
        List.copyOf(rules));
  }

  private static RuleDefinition rule(Path folder, String folderName) throws IOException {
    Path ruleFile = folder.resolve("rule.yaml");
    JsonNode node = yaml(ruleFile);
    for (Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
      String key = keys.next();
      if (!RULE_KEYS.contains(key)) {
        throw RulePackException.at(
            ruleFile.toString(),
            0,
            "unknown key '" + key + "' (expected one of " + new TreeSet<>(RULE_KEYS) + ")");
      }
    }
    String id = requiredText(node, "id", ruleFile);
    if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
      throw RulePackException.at(
          ruleFile.toString(),
          0,
          "id '" + id + "' may only hold letters, digits, '.', '_' and '-'");
    }
    Severity severity;
    try {
      severity = Severity.parse(requiredText(node, "severity", ruleFile));
    } catch (IllegalArgumentException e) {
      throw RulePackException.at(ruleFile.toString(), 0, "severity: " + e.getMessage());
    }
    Map<String, List<String>> controls = new LinkedHashMap<>();
    JsonNode controlNode = node.get("controls");
    if (controlNode != null) {
      if (!controlNode.isObject()) {
        throw RulePackException.at(
            ruleFile.toString(), 0, "controls must map a framework to a list of control ids");
      }
      controlNode.fields().forEachRemaining(e -> controls.put(e.getKey(), strings(e.getValue())));
    }
    RuleMetadata metadata =
        new RuleMetadata(
            id,
            requiredText(node, "title", ruleFile),
            severity,
            node.path("description").asText("").trim(),
            strings(node.get("attack")),
            Map.copyOf(controls));
    Path epl = folder.resolve("detect.epl");
    if (!Files.isRegularFile(epl)) {
      throw new RulePackException(folder + ": rule " + id + " has no detect.epl");
    }
    Path drl = folder.resolve("decide.drl");
    return new RuleDefinition(
        metadata, folderName, source(epl), Files.isRegularFile(drl) ? source(drl) : null);
  }

  private static List<String> strings(JsonNode node) {
    List<String> out = new ArrayList<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (node.isArray()) {
      node.forEach(n -> out.add(n.asText()));
    } else {
      out.add(node.asText());
    }
    return List.copyOf(out);
  }

  private static RuleDefinition.Source source(Path file) throws IOException {
    return new RuleDefinition.Source(
        file.toString(), Files.readString(file, StandardCharsets.UTF_8));
  }

  private static JsonNode yaml(Path file) {
    try {
      JsonNode node = YAML.readTree(Files.readString(file, StandardCharsets.UTF_8));
      if (node == null || !node.isObject()) {
        throw RulePackException.at(file.toString(), 0, "must be a YAML mapping");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw RulePackException.at(
          file.toString(),
          e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
          e.getOriginalMessage());
    } catch (IOException e) {
      throw new RulePackException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static String requiredText(JsonNode node, String key, Path file) {
    JsonNode value = node.get(key);
    if (value == null || value.asText().isBlank()) {
      throw RulePackException.at(file.toString(), 0, "'" + key + "' is required");
    }
    return value.asText().trim();
  }

  private static void hash(MessageDigest digest, Path root, Path file) throws IOException {
    digest.update(
        root.relativize(file).toString().replace('\\', '/').getBytes(StandardCharsets.UTF_8));
    digest.update((byte) 0);
    digest.update(Files.readAllBytes(file));
    digest.update((byte) 0);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
