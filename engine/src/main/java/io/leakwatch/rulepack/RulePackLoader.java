package io.leakwatch.rulepack;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
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

/**
 * Loads a rule pack: a folder with {@code pack.yaml}, shared {@code *.epl} modules and pack-wide
 * {@code *.drl} decisions (correlation) at its root, and one sub-folder per rule holding {@code
 * rule.yaml}, {@code detect.epl} and optionally {@code decide.drl}. The default pack is the same
 * layout on the classpath under {@code leakwatch/rules}.
 */
public final class RulePackLoader {
  /** The longest rule id (the alert history's column for it holds 255 characters). */
  public static final int MAX_ID_LENGTH = 128;

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
      return load(classpathFolder(marker), "default pack" + where);
    } catch (IOException e) {
      throw new RulePackException(
          "cannot open the default rule pack at " + marker + ": " + e.getMessage(), e);
    }
  }

  /** The folder holding {@code marker}: read from the jar itself when it is in a local jar. */
  private static PackFolder classpathFolder(URL marker) throws IOException {
    if ("jar".equals(marker.getProtocol())) {
      try {
        URL jar = ((JarURLConnection) marker.openConnection()).getJarFileURL();
        if ("file".equals(jar.getProtocol())) {
          String entry = marker.getPath().substring(marker.getPath().indexOf("!/") + 2);
          return new JarPackFolder(
              Path.of(jar.toURI()), entry.substring(0, entry.lastIndexOf('/')));
        }
      } catch (URISyntaxException | ClassCastException e) {
        // not a plain jar on disk: the file system route below
      }
    }
    return new DiskPackFolder(ClasspathFolder.of(marker));
  }

  /** A pack in a folder on disk. */
  public static RulePack fromDirectory(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new RulePackException(dir + ": rules folder does not exist");
    }
    return load(new DiskPackFolder(dir), dir.toString());
  }

  static RulePack load(PackFolder root, String origin) {
    String packFile = "pack.yaml";
    if (!root.isFile(packFile)) {
      throw new RulePackException(
          origin + ": no pack.yaml (a rules folder needs one, with name and version)");
    }
    JsonNode pack = yaml(root, packFile);
    String name = requiredText(pack, "name", root.origin(packFile));
    String version = requiredText(pack, "version", root.origin(packFile));
    MessageDigest digest = sha256();
    List<RuleDefinition.Source> shared = new ArrayList<>();
    List<RuleDefinition.Source> decisions = new ArrayList<>();
    List<RuleDefinition> rules = new ArrayList<>();
    try {
      hash(digest, root, packFile);
      for (String entry : root.list()) {
        if (root.isFile(entry) && entry.endsWith(".epl")) {
          shared.add(source(root, entry));
          hash(digest, root, entry);
        } else if (root.isFile(entry) && entry.endsWith(".drl")) {
          decisions.add(source(root, entry));
          hash(digest, root, entry);
        } else if (root.isDirectory(entry) && root.isFile(entry + "/rule.yaml")) {
          rules.add(rule(root, entry));
          for (String file : root.filesUnder(entry)) {
            hash(digest, root, file);
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

  private static RuleDefinition rule(PackFolder root, String folderName) throws IOException {
    String ruleFile = folderName + "/rule.yaml";
    String ruleOrigin = root.origin(ruleFile);
    JsonNode node = yaml(root, ruleFile);
    for (Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
      String key = keys.next();
      if (!RULE_KEYS.contains(key)) {
        throw RulePackException.at(
            ruleOrigin,
            0,
            "unknown key '" + key + "' (expected one of " + new TreeSet<>(RULE_KEYS) + ")");
      }
    }
    String id = requiredText(node, "id", ruleOrigin);
    if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
      throw RulePackException.at(
          ruleOrigin, 0, "id '" + id + "' may only hold letters, digits, '.', '_' and '-'");
    }
    if (id.length() > MAX_ID_LENGTH) {
      // The alert history keeps rule ids in a column this wide: a longer one would have every alert
      // of the rule refused there, found only when the rule first fires.
      throw RulePackException.at(
          ruleOrigin,
          0,
          "id is " + id.length() + " characters long; at most " + MAX_ID_LENGTH + " are allowed");
    }
    Severity severity;
    try {
      severity = Severity.parse(requiredText(node, "severity", ruleOrigin));
    } catch (IllegalArgumentException e) {
      throw RulePackException.at(ruleOrigin, 0, "severity: " + e.getMessage());
    }
    Map<String, List<String>> controls = new LinkedHashMap<>();
    JsonNode controlNode = node.get("controls");
    if (controlNode != null) {
      if (!controlNode.isObject()) {
        throw RulePackException.at(
            ruleOrigin, 0, "controls must map a framework to a list of control ids");
      }
      controlNode.fields().forEachRemaining(e -> controls.put(e.getKey(), strings(e.getValue())));
    }
    RuleMetadata metadata =
        new RuleMetadata(
            id,
            requiredText(node, "title", ruleOrigin),
            severity,
            node.path("description").asText("").trim(),
            strings(node.get("attack")),
            Map.copyOf(controls));
    String epl = folderName + "/detect.epl";
    if (!root.isFile(epl)) {
      throw new RulePackException(root.origin(folderName) + ": rule " + id + " has no detect.epl");
    }
    String drl = folderName + "/decide.drl";
    return new RuleDefinition(
        metadata, folderName, source(root, epl), root.isFile(drl) ? source(root, drl) : null);
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

  private static RuleDefinition.Source source(PackFolder root, String file) throws IOException {
    return new RuleDefinition.Source(
        root.origin(file), new String(root.read(file), StandardCharsets.UTF_8));
  }

  private static JsonNode yaml(PackFolder root, String file) {
    String origin = root.origin(file);
    try {
      JsonNode node = YAML.readTree(new String(root.read(file), StandardCharsets.UTF_8));
      if (node == null || !node.isObject()) {
        throw RulePackException.at(origin, 0, "must be a YAML mapping");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw RulePackException.at(
          origin,
          e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
          e.getOriginalMessage());
    } catch (IOException e) {
      throw new RulePackException(origin + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static String requiredText(JsonNode node, String key, String origin) {
    JsonNode value = node.get(key);
    if (value == null || value.asText().isBlank()) {
      throw RulePackException.at(origin, 0, "'" + key + "' is required");
    }
    return value.asText().trim();
  }

  private static void hash(MessageDigest digest, PackFolder root, String file) throws IOException {
    digest.update(file.getBytes(StandardCharsets.UTF_8));
    digest.update((byte) 0);
    digest.update(root.read(file));
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
