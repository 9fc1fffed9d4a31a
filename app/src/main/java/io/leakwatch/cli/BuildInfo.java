package io.leakwatch.cli;

import io.leakwatch.rulepack.RulePack;
import io.leakwatch.rulepack.RulePackLoader;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/**
 * What {@code --version} prints: the version, the built-in rule pack and its hash, and the git
 * commit the jar was built from (written by the build; "unknown" when it was built outside git).
 */
final class BuildInfo implements CommandLine.IVersionProvider {
  static final String VERSION_FILE = "/leakwatch-version.properties";
  static final String GIT_FILE = "/leakwatch-git.properties";

  @Override
  public String[] getVersion() {
    Properties version = read(VERSION_FILE);
    Properties git = read(GIT_FILE);
    RulePack pack = RulePackLoader.defaultPack();
    String commit = git.getProperty("git.commit.id", "unknown");
    boolean dirty = Boolean.parseBoolean(git.getProperty("git.dirty", "false"));
    return new String[] {
      "leakwatch " + version.getProperty("version", "unknown"),
      "rule pack " + pack.name() + " " + pack.version() + " sha256 " + pack.sha256(),
      "git commit " + commit + (dirty ? " (with uncommitted changes)" : ""),
      "built " + git.getProperty("git.build.time", "unknown")
    };
  }

  private static Properties read(String resource) {
    Properties properties = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream(resource)) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      // A jar whose own resource cannot be read prints "unknown" for it.
    }
    return properties;
  }
}
