package io.leakwatch.rulepack;

/**
 * One rule of a pack: its metadata, the EPL that finds the pattern and the DRL that decides what a
 * finding means. Sources keep their origin (file path) so errors can name the file.
 */
public record RuleDefinition(RuleMetadata metadata, String folder, Source epl, Source drl) {
  /** A rule file's text and where it came from. */
  public record Source(String origin, String text) {}

  public String id() {
    return metadata.id();
  }
}
