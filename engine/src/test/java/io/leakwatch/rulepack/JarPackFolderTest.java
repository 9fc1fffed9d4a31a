package io.leakwatch.rulepack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default pack read from inside a jar by the jar's index gives the same pack as the zip file
 * system it used to be read through: same rules, texts, origins and hash.
 */
class JarPackFolderTest {
  private static final Path SOURCE = Path.of("../rules/pack");

  @TempDir Path dir;

  @Test
  void aPackInAJarLoadsAsThroughTheZipFileSystem() throws IOException {
    Path jar = jarWithPack();
    RulePack fromJar = RulePackLoader.load(new JarPackFolder(jar, "leakwatch/rules"), "jar");
    RulePack throughZipFs;
    try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + jar.toUri()), Map.of())) {
      throughZipFs =
          RulePackLoader.load(new DiskPackFolder(zip.getPath("/leakwatch/rules")), "jar");
    }
    assertEquals(throughZipFs, fromJar);
    assertEquals(RulePackLoader.fromDirectory(SOURCE).sha256(), fromJar.sha256());
    assertEquals(19, fromJar.rules().size());
    assertTrue(
        fromJar.rules().get(0).epl().origin().startsWith("/leakwatch/rules/"),
        fromJar.rules().get(0).epl().origin());
  }

  @Test
  void aBrokenRuleInAJarIsNamedByItsPathInTheJar() throws IOException {
    Path jar = dir.resolve("broken.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      put(out, "leakwatch/rules/pack.yaml", "name: p\nversion: 1\n");
      put(out, "leakwatch/rules/one/rule.yaml", "id: R-1\ntitle: t\nseverity: high\n");
    }
    RulePackException e =
        assertThrows(
            RulePackException.class,
            () -> RulePackLoader.load(new JarPackFolder(jar, "leakwatch/rules"), "jar"));
    assertEquals("/leakwatch/rules/one: rule R-1 has no detect.epl", e.getMessage());
  }

  /** The pack under leakwatch/rules among other entries, as the product jar holds it. */
  private Path jarWithPack() throws IOException {
    Path jar = dir.resolve("product.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
        Stream<Path> files = Files.walk(SOURCE)) {
      put(out, "leakwatch/", null);
      put(out, "leakwatch/other.txt", "not the pack");
      for (Path file : files.sorted().toList()) {
        String name = "leakwatch/rules/" + SOURCE.relativize(file).toString().replace('\\', '/');
        if (Files.isDirectory(file)) {
          put(out, name.endsWith("/") ? name : name + "/", null);
        } else {
          out.putNextEntry(new JarEntry(name));
          out.write(Files.readAllBytes(file));
          out.closeEntry();
        }
      }
      put(out, "leakwatch/rulesets/not-the-pack.yaml", "x: 1\n");
    }
    return jar;
  }

  private static void put(JarOutputStream out, String name, String text) throws IOException {
    out.putNextEntry(new JarEntry(name));
    if (text != null) {
      out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    out.closeEntry();
  }
}
