package io.leakwatch.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.profile.OrgProfileLoader;
import io.leakwatch.rulepack.RuleDefinition;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.rulepack.RulePackLoader;
import io.leakwatch.ruletest.RuleTests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compiled packs kept between runs: reused only when intact and compiled from the same texts. */
class PackCacheTest {
  private static final Path PACK = Path.of("../rules/pack");

  @TempDir Path dir;

  @Test
  void aPackLoadedFromTheCachePassesEveryRuleTestCase() throws IOException {
    RulePack pack = RulePackLoader.fromDirectory(PACK);
    PackCache cache = new PackCache(dir);
    assertEquals(PackCache.Origin.COMPILED, cache.load(pack).origin());
    assertEquals(1, entries().size());

    PackCache.Loaded again = new PackCache(dir).load(RulePackLoader.fromDirectory(PACK));
    assertEquals(PackCache.Origin.CACHE, again.origin());
    // The streams behind each rule come with the entry: no alert waits to work them out.
    assertTrue(again.pack().epl().lineageKnown());
    assertEquals(
        io.leakwatch.cep.StreamLineage.of(pack).byRule(), again.pack().epl().lineage().byRule());
    List<RuleTests.Result> results =
        RuleTests.run(
            again.pack(),
            OrgProfileLoader.load(PACK.resolve("test-profile.yaml")),
            RuleTests.load(PACK));
    assertEquals(
        List.of(),
        results.stream()
            .filter(r -> !r.passed())
            .map(r -> r.testCase().ruleFolder() + " / " + r.testCase().name() + ": " + r.problem())
            .toList());
  }

  @Test
  void aDamagedOrTruncatedEntryIsCompiledAgainAndReplaced() throws IOException {
    RulePack pack = RulePackLoader.fromDirectory(PACK);
    PackCache cache = new PackCache(dir);
    cache.load(pack);
    Path entry = entries().get(0);
    byte[] intact = Files.readAllBytes(entry);

    byte[] damaged = intact.clone();
    damaged[damaged.length / 2] ^= 0x5a;
    Files.write(entry, damaged);
    assertEquals(PackCache.Origin.COMPILED, cache.load(pack).origin());
    assertEquals(PackCache.Origin.CACHE, cache.load(pack).origin(), "the entry was rewritten");

    Files.write(entry, java.util.Arrays.copyOf(intact, intact.length / 3));
    assertEquals(PackCache.Origin.COMPILED, cache.load(pack).origin());
    assertEquals(PackCache.Origin.CACHE, cache.load(pack).origin());
  }

  @Test
  void anEditedRuleOrDecisionIsAnotherEntry() throws IOException {
    RulePack pack = RulePackLoader.fromDirectory(PACK);
    RuleDefinition first = pack.rules().get(0);
    RulePack editedEpl =
        withFirstRule(
            pack,
            new RuleDefinition(
                first.metadata(),
                first.folder(),
                new RuleDefinition.Source(first.epl().origin(), first.epl().text() + "\n"),
                first.drl()));
    RulePack editedDrl =
        withFirstRule(
            pack,
            new RuleDefinition(
                first.metadata(),
                first.folder(),
                first.epl(),
                new RuleDefinition.Source(first.drl().origin(), first.drl().text() + "\n")));
    String key = PackCache.contentKey(pack);
    assertEquals(key, PackCache.contentKey(RulePackLoader.fromDirectory(PACK)));
    assertNotEquals(key, PackCache.contentKey(editedEpl));
    assertNotEquals(key, PackCache.contentKey(editedDrl));
    assertNotEquals(PackCache.contentKey(editedEpl), PackCache.contentKey(editedDrl));
  }

  @Test
  void withoutAFolderNothingIsKept() {
    PackCache off = new PackCache(null);
    RulePack pack = RulePackLoader.fromDirectory(PACK);
    assertEquals(PackCache.Origin.COMPILED, off.load(pack).origin());
  }

  private static RulePack withFirstRule(RulePack pack, RuleDefinition rule) {
    List<RuleDefinition> rules = new ArrayList<>(pack.rules());
    rules.set(0, rule);
    return new RulePack(
        pack.origin(),
        pack.name(),
        pack.version(),
        pack.sha256(),
        pack.shared(),
        pack.decisions(),
        rules);
  }

  private List<Path> entries() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".lwpack")).toList();
    }
  }
}
