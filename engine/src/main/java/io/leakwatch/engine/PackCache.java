package io.leakwatch.engine;

import io.leakwatch.decision.DroolsDecider;
import io.leakwatch.rulepack.RuleDefinition;
import io.leakwatch.rulepack.RulePack;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.Properties;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compiled rule packs kept between runs: compiling the default pack's EPL and DRL takes 7–8 s of a
 * cold JVM, loading them compiled well under one. A pack is found by the SHA-256 of what its
 * compilation reads (every EPL and DRL text, rule ids and folders) and of the toolchain that
 * compiled it (Esper and Drools versions, Java version, the Leakwatch build), first among the packs
 * compiled into the product at build time, then in the cache folder, else it is compiled and stored
 * there. An entry that does not read back intact is compiled again with a warning, never trusted.
 *
 * <p>The cache folder is {@code $LEAKWATCH_PACK_CACHE}, else {@code
 * $XDG_CACHE_HOME/leakwatch/packs}, else {@code ~/.cache/leakwatch/packs}; {@code
 * LEAKWATCH_PACK_CACHE=off} compiles every time.
 */
public final class PackCache {
  private static final Logger LOG = LoggerFactory.getLogger(PackCache.class);

  /** Classpath folder of the packs compiled at build time, named by their content key. */
  static final String BUILT_IN = "leakwatch-compiled-packs/";

  private static final String SUFFIX = ".lwpack";

  private final Path dir;

  /** A cache in {@code dir}; null keeps nothing on disk (built-in packs are still used). */
  public PackCache(Path dir) {
    this.dir = dir;
  }

  /** The cache folder the environment names (see the class comment). */
  public static PackCache standard() {
    String configured = System.getenv("LEAKWATCH_PACK_CACHE");
    if (configured != null && !configured.isBlank()) {
      return new PackCache(configured.equals("off") ? null : Path.of(configured));
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".cache");
    return new PackCache(base.resolve("leakwatch").resolve("packs"));
  }

  /** Where a compiled pack came from. */
  enum Origin {
    BUILT_IN,
    CACHE,
    COMPILED
  }

  record Loaded(CompiledPack pack, Origin origin) {}

  /**
   * The pack compiled: from the built-in packs, the cache, or the compilers (then cached). A pack
   * found compiled starts making its KieBase in the background at once, for the pipeline that
   * follows.
   */
  public CompiledPack compile(RulePack pack) {
    return load(pack).pack().prepareInBackground();
  }

  /**
   * Compiles the pack unless it is found compiled, intact, for the same texts and toolchain (then
   * it is known to compile); throws every error with file and line.
   */
  public void validate(RulePack pack) {
    load(pack);
  }

  Loaded load(RulePack pack) {
    String content = contentKey(pack);
    String key = sha256Hex(content + "\n" + Toolchain.DESCRIPTION);
    CompiledPack builtIn = builtIn(content, pack);
    if (builtIn != null) {
      return new Loaded(builtIn, Origin.BUILT_IN);
    }
    Path file = dir == null ? null : dir.resolve(key + SUFFIX);
    if (file != null && Files.isRegularFile(file)) {
      try {
        CompiledPackFile.Stored stored = CompiledPackFile.read(Files.readAllBytes(file), key, pack);
        return new Loaded(fromStored(pack, stored, file.toString(), file), Origin.CACHE);
      } catch (IOException | CompiledPackFile.Unusable e) {
        LOG.warn(
            "The compiled rule pack cached at {} cannot be used ({}); compiling the pack again",
            file,
            e.getMessage());
      }
    }
    CompiledPackFile.Compiled compiled = CompiledPack.compileFresh(pack);
    CompiledPack result =
        new CompiledPack(pack, compiled.epl(), DroolsDecider.base(compiled.drl()));
    if (file != null) {
      store(file, key, compiled);
    }
    return new Loaded(result, Origin.COMPILED);
  }

  /**
   * A pack read back, its KieBase made from the stored kjar when needed. Should the kjar not load
   * (it passed its checksum, so a Drools that reads it differently), the DRL is compiled again with
   * a warning and the entry, if cached, removed so the next run stores a good one.
   */
  static CompiledPack fromStored(
      RulePack pack, CompiledPackFile.Stored stored, String where, Path entry) {
    return new CompiledPack(
        pack,
        stored.epl(),
        stored::drl,
        e -> {
          LOG.warn(
              "The DRL compiled in {} cannot be used ({}); compiling it again",
              where,
              e.toString());
          if (entry != null) {
            try {
              Files.deleteIfExists(entry);
            } catch (IOException ignored) {
              // the entry is refused again next time, with the same warning
            }
          }
          return DroolsDecider.compile(pack);
        });
  }

  /**
   * Writes the compiled form of {@code pack} to {@code folder} under its content key, for {@link
   * #compile} to find on the classpath (the build compiles the default pack this way).
   */
  static Path writeBuiltIn(RulePack pack, Path folder) throws IOException {
    String content = contentKey(pack);
    String key = sha256Hex(content + "\n" + Toolchain.BUILT_IN);
    Path file = folder.resolve(BUILT_IN).resolve(sha256Hex(content) + SUFFIX);
    Files.createDirectories(file.getParent());
    Files.write(file, CompiledPackFile.write(key, CompiledPack.compileFresh(pack)));
    return file;
  }

  private static CompiledPack builtIn(String content, RulePack pack) {
    String resource = BUILT_IN + sha256Hex(content) + SUFFIX;
    try (InputStream in = PackCache.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        return null;
      }
      // Built into the same jar as this code: the Leakwatch build is the same by construction.
      CompiledPackFile.Stored stored =
          CompiledPackFile.read(
              in.readAllBytes(), sha256Hex(content + "\n" + Toolchain.BUILT_IN), pack);
      return fromStored(pack, stored, resource, null);
    } catch (IOException | CompiledPackFile.Unusable e) {
      LOG.warn(
          "The rule pack compiled at build time ({}) cannot be used ({}); compiling it",
          resource,
          e.getMessage());
      return null;
    }
  }

  /** Written whole or not at all: a temporary file, forced to disk, then renamed into place. */
  private static void store(Path file, String key, CompiledPackFile.Compiled compiled) {
    Path tmp = null;
    try {
      Files.createDirectories(file.getParent());
      byte[] bytes = CompiledPackFile.write(key, compiled);
      tmp = Files.createTempFile(file.getParent(), key, ".tmp");
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE);
          OutputStream out = java.nio.channels.Channels.newOutputStream(channel)) {
        out.write(bytes);
        out.flush();
        channel.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException | UncheckedIOException e) {
      // A cache that cannot be written costs the next run its start-up time, nothing else.
      LOG.warn("Could not cache the compiled rule pack in {}: {}", file.getParent(), e.toString());
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // the warning above already names the folder
        }
      }
    }
  }

  /** What compiling a pack reads, length-prefixed so no two packs run together the same. */
  static String contentKey(RulePack pack) {
    StringBuilder key = new StringBuilder();
    for (RuleDefinition.Source shared : pack.shared()) {
      field(key, "shared", shared.text());
    }
    for (RuleDefinition rule : pack.rules()) {
      field(key, "rule", rule.id());
      field(key, "folder", rule.folder());
      field(key, "epl", rule.epl().text());
      field(key, "drl", rule.drl() == null ? "" : rule.drl().text());
    }
    for (RuleDefinition.Source decisions : pack.decisions()) {
      field(key, "decisions", Path.of(decisions.origin()).getFileName().toString());
      field(key, "text", decisions.text());
    }
    return sha256Hex(key.toString());
  }

  private static void field(StringBuilder key, String name, String value) {
    key.append(name).append(' ').append(value.length()).append(':').append(value).append('\n');
  }

  static String sha256Hex(String text) {
    return HexFormat.of().formatHex(CompiledPackFile.sha256(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** The versions compiled code depends on. */
  static final class Toolchain {
    /** Esper, Drools and Java versions: what a pack compiled at build time is checked against. */
    static final String BUILT_IN =
        "esper "
            + mavenVersion("com.espertech", "esper-compiler")
            + "\ndrools "
            + mavenVersion("org.drools", "drools-core")
            + "\njava "
            + System.getProperty("java.specification.version");

    /** Those and the Leakwatch build itself (its jar, or its classes folder when run from one). */
    static final String DESCRIPTION = BUILT_IN + "\nleakwatch " + leakwatchBuild();

    private Toolchain() {}

    private static String mavenVersion(String group, String artifact) {
      String resource = "META-INF/maven/" + group + "/" + artifact + "/pom.properties";
      try (InputStream in = PackCache.class.getClassLoader().getResourceAsStream(resource)) {
        if (in == null) {
          return "unknown";
        }
        Properties properties = new Properties();
        properties.load(in);
        return properties.getProperty("version", "unknown");
      } catch (IOException e) {
        return "unknown";
      }
    }

    /**
     * The code that compiles and runs a pack, identified by its jar's size and time, or by its
     * classes folder's newest file: a rebuilt snapshot does not reuse what an older one compiled.
     */
    private static String leakwatchBuild() {
      try {
        Path code =
            Path.of(PackCache.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (Files.isRegularFile(code)) {
          return code + " " + Files.size(code) + " " + Files.getLastModifiedTime(code).toMillis();
        }
        try (Stream<Path> files = Files.walk(code)) {
          return code
              + " "
              + files
                  .filter(Files::isRegularFile)
                  .mapToLong(
                      f -> {
                        try {
                          return Files.getLastModifiedTime(f).toMillis();
                        } catch (IOException e) {
                          throw new UncheckedIOException(e);
                        }
                      })
                  .max()
                  .orElse(0);
        }
      } catch (IOException | URISyntaxException | RuntimeException e) {
        // Unknown code: a key no later run shares, so nothing stale is ever loaded.
        return "unidentified " + System.nanoTime();
      }
    }
  }
}
