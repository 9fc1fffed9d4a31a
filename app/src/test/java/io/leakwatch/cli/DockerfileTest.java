package io.leakwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile checked against the build it packages, without a Docker engine: everything the
 * Maven build reads is copied in (and not excluded by .dockerignore), the jar it starts is the one
 * the build makes, it runs as a non-root user, its HEALTHCHECK and CMD are commands the jar has,
 * and both base images are build arguments defaulting to the public ones. {@code
 * scripts/container-test.sh} builds and runs the image for real where a Docker engine can start.
 */
class DockerfileTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  void theImageBuildsFromWhatTheRepositoryHasAndRunsWhatTheBuildMakes() throws Exception {
    String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
    List<String> copied = new ArrayList<>();
    Matcher copy = Pattern.compile("(?m)^COPY (?!--from)(\\S+) (\\S+)$").matcher(dockerfile);
    while (copy.find()) {
      assertTrue(
          Files.exists(ROOT.resolve(copy.group(1))),
          "COPY " + copy.group(1) + ": not in the repository");
      copied.add(copy.group(1).replaceAll("/$", ""));
    }
    String rootPom = Files.readString(ROOT.resolve("pom.xml"));
    Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(rootPom);
    while (module.find()) {
      String name = module.group(1);
      assertTrue(copied.contains(name + "/pom.xml"), name + "/pom.xml is not copied");
      if (Files.isDirectory(ROOT.resolve(name + "/src/main"))) {
        assertTrue(copied.contains(name + "/src"), name + "/src is not copied");
      }
      Matcher resource =
          Pattern.compile("<directory>([^<$]+)</directory>")
              .matcher(Files.readString(ROOT.resolve(name + "/pom.xml")));
      while (resource.find()) {
        String dir = name + "/" + resource.group(1);
        if (!dir.startsWith(name + "/src/")) {
          assertTrue(copied.contains(dir), dir + " (a resource folder of the build) is not copied");
        }
      }
    }
    assertTrue(copied.contains("pom.xml"));
    List<String> ignored =
        Files.readAllLines(ROOT.resolve(".dockerignore")).stream()
            .map(String::strip)
            .filter(line -> !line.isEmpty() && !line.startsWith("#"))
            .toList();
    // Each pattern here is a plain name (anywhere with **/); none may name a folder the image
    // copies.
    for (String source : copied) {
      List<String> parts = List.of(source.split("/"));
      for (String pattern : ignored) {
        String name = pattern.replaceFirst("^\\*\\*/", "");
        assertFalse(
            parts.contains(name) || source.equals(pattern),
            ".dockerignore's " + pattern + " drops " + source + ", which the image copies");
      }
    }

    // Base images are build arguments (declared before the first FROM), so an image can be built
    // where no registry is reachable; the public images stay the defaults.
    String header = dockerfile.substring(0, dockerfile.indexOf("\nFROM "));
    assertEquals("maven:3.9-eclipse-temurin-17", matchOne("(?m)^ARG BUILD_IMAGE=(\\S+)$", header));
    assertEquals("eclipse-temurin:17-jre", matchOne("(?m)^ARG RUNTIME_IMAGE=(\\S+)$", header));
    List<String> froms = new ArrayList<>();
    Matcher from = Pattern.compile("(?m)^FROM (.+)$").matcher(dockerfile);
    while (from.find()) {
      froms.add(from.group(1));
    }
    assertEquals(List.of("${BUILD_IMAGE} AS build", "${RUNTIME_IMAGE}"), froms);

    Matcher jar = Pattern.compile("(?m)^COPY --from=build (\\S+) (\\S+)$").matcher(dockerfile);
    assertTrue(jar.find(), "the runtime stage copies the jar from the build stage");
    String finalName =
        matchOne("<finalName>([^<]+)</finalName>", Files.readString(ROOT.resolve("app/pom.xml")));
    assertEquals("/src/app/target/" + finalName + ".jar", jar.group(1), "the jar the build makes");
    String installed = jar.group(2);
    assertTrue(
        dockerfile.contains("\"-jar\", \"" + installed + "\""), "ENTRYPOINT starts " + installed);

    String runtime = dockerfile.substring(dockerfile.lastIndexOf("\nFROM "));
    String user = matchOne("(?m)^USER (\\S+)$", runtime);
    assertFalse(user.equals("root") || user.equals("0"), "runs as a non-root user");
    String health = matchOne("(?s)HEALTHCHECK [^\\n]*\\\\\\n\\s*CMD \\[(.*?)]", runtime);
    assertTrue(
        health.contains("\"health\""), "the health check asks the jar's health command: " + health);
    String cmd = matchOne("(?m)^CMD \\[(.*)]$", runtime);
    assertTrue(cmd.startsWith("\"run\", \"--config\""), cmd);

    ByteArrayOutputStream usage = new ByteArrayOutputStream();
    Leakwatch.execute(
        List.of("help"),
        new PrintStream(usage, true, StandardCharsets.UTF_8),
        new PrintStream(usage, true, StandardCharsets.UTF_8));
    String commands = usage.toString(StandardCharsets.UTF_8);
    assertTrue(
        commands.contains("\n  health ") && commands.contains("\n  run "),
        "the jar has the commands the image uses:\n" + commands);
  }

  private static String matchOne(String regex, String text) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertTrue(m.find(), "no match for " + regex);
    return m.group(1);
  }
}
