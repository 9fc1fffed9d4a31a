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
  void anEntryWhoseKjarDoesNotLoadHasItsDrlCompiledAgainAndIsRemoved() throws Exception {
    RulePack pack = RulePackLoader.fromDirectory(PACK);
    PackCache cache = new PackCache(dir);
    cache.load(pack);
    Path entry = entries().get(0);
    String key = entry.getFileName().toString().replace(".lwpack", "");
    CompiledPackFile.Stored intact = CompiledPackFile.read(Files.readAllBytes(entry), key, pack);
    // Passed its checksum, but not a kjar these Drools classes read.
    CompiledPackFile.Stored unreadable =
        new CompiledPackFile.Stored(
            intact.epl(), intact.group(), intact.artifact(), intact.version(), new byte[] {1, 2});

    CompiledPack loaded = PackCache.fromStored(pack, unreadable, entry.toString(), entry);
    assertTrue(
        loaded.drl().getKiePackages().stream().mapToInt(p -> p.getRules().size()).sum() > 0,
        "the DRL compiled again");
    assertEquals(List.of(), entries(), "the entry is removed so the next run stores a good one");
    assertEquals(PackCache.Origin.COMPILED, cache.load(pack).origin());
  }

  @Test
  void validatingAPackFoundCompiledNeedsNoCompilerAndABrokenOneNamesFileAndLine()
      throws IOException {
    PackCache cache = new PackCache(dir);
    cache.validate(RulePackLoader.fromDirectory(PACK));
    assertEquals(1, entries().size(), "compiled once and kept");
    cache.validate(RulePackLoader.fromDirectory(PACK));
    assertEquals(1, entries().size());

    Path broken = io.leakwatch.rulepack.TestPacks.copyDefaultPack(dir.resolve("broken"));
    Path drl;
    try (Stream<Path> files = Files.walk(broken)) {
      drl = files.filter(f -> f.endsWith("decide.drl")).sorted().findFirst().orElseThrow();
    }
    Files.writeString(drl, Files.readString(drl) + "\nrule \"broken\" when then nope( end\n");
    io.leakwatch.rulepack.RulePackException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            io.leakwatch.rulepack.RulePackException.class,
            () -> cache.validate(RulePackLoader.fromDirectory(broken)));
    assertTrue(e.getMessage().contains(drl.toString() + ":"), e.getMessage());
    assertEquals(1, entries().size(), "nothing is kept of a pack that does not compile");
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
