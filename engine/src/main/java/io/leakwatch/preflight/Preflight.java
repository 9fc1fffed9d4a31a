package io.leakwatch.preflight;

import io.leakwatch.cep.TopicTypes;
import io.leakwatch.rulepack.RuleDefinition;
import io.leakwatch.rulepack.RulePack;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code run} would fail on at start, found before it starts: folders that cannot be created
 * or written, a topic the rules cannot read (misspelt) or that no rule reads, a certificate or key
 * that does not parse, a port already taken, a stale timeout shorter than the server's keepalive
 * interval. Every check takes already-parsed settings and the config key they came from, and says
 * what is wrong in a sentence that names that key; none changes anything (a folder it had to create
 * to test is removed again).
 */
public final class Preflight {
  /** Salesforce sends a keepalive at most this far apart when a topic is quiet. */
  public static final long KEEPALIVE_MILLIS = 270_000;

  /** A stale timeout should leave this much over the keepalive interval (network, GC pauses). */
  public static final long KEEPALIVE_MARGIN_MILLIS = 30_000;

  private static final Pattern PEM_BLOCK =
      Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

  private final List<Finding> findings = new ArrayList<>();

  public enum Level {
    ERROR,
    WARNING
  }

  /** One problem: an error stops {@code run}; a warning is worth reading. */
  public record Finding(Level level, String key, String message) {
    @Override
    public String toString() {
      return (level == Level.ERROR ? "error: " : "warning: ") + key + ": " + message;
    }
  }

  public List<Finding> findings() {
    return List.copyOf(findings);
  }

  public boolean hasErrors() {
    return findings.stream().anyMatch(f -> f.level() == Level.ERROR);
  }

  /** A folder the process writes into: it must exist or be creatable, and be writable. */
  public Preflight writableFolder(String key, Path folder) {
    if (folder == null) {
      return this;
    }
    Path absolute = folder.toAbsolutePath().normalize();
    Path existing = absolute;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return error(key, absolute + " cannot be created: no part of the path exists");
    }
    if (!Files.isDirectory(existing)) {
      return error(key, absolute + " cannot be created: " + existing + " is a file, not a folder");
    }
    Path created = Files.exists(absolute) ? null : existing;
    try {
      Files.createDirectories(absolute);
      Path probe = Files.createTempFile(absolute, ".leakwatch-preflight", ".tmp");
      Files.delete(probe);
    } catch (FileSystemException e) {
      return error(key, absolute + " is not writable: " + reason(e));
    } catch (IOException | UnsupportedOperationException e) {
      return error(key, absolute + " is not writable: " + e.getMessage());
    } finally {
      removeCreated(created, absolute);
    }
    return this;
  }

  /** The org profile: it must exist; on a first onboarding {@code profile discover} writes it. */
  public Preflight profile(String key, Path file) {
    if (!Files.isRegularFile(file)) {
      return error(
          key,
          file.toAbsolutePath().normalize()
              + " does not exist: write it with `leakwatch profile discover --config FILE --org"
              + " NAME --out "
              + file
              + "`, or by hand");
    }
    return this;
  }

  /** A file the process appends to (dead letters): its folder must be writable. */
  public Preflight writableFile(String key, Path file) {
    if (file == null) {
      return this;
    }
    Path absolute = file.toAbsolutePath().normalize();
    if (Files.isDirectory(absolute)) {
      return error(key, absolute + " is a folder; name a file in it");
    }
    return writableFolder(key, absolute.getParent());
  }

  /**
   * Every topic must have an event type in the pack (else it is misspelt, or the pack lacks it); a
   * topic no rule reads costs a stream for nothing.
   */
  public Preflight topics(String key, List<String> topics, RulePack pack) {
    Set<String> declared = declaredTypes(pack);
    for (String topic : topics) {
      String type = TopicTypes.typeFor(topic);
      if (TopicTypes.isCustomChannel(topic)) {
        warning(
            key,
            topic
                + " is a custom channel: each event on it is typed by its schema's record name;"
                + " events of a type the pack does not declare are dead-lettered");
      } else if (!declared.contains(type)) {
        Optional<String> near = nearest(topic, declared);
        error(
            key,
            topic
                + " is not a topic the rule pack knows"
                + near.map(n -> " (did you mean " + n + "?)").orElse("")
                + "; known event types: "
                + declared);
      } else if (!readByAnyRule(type, pack)) {
        warning(key, topic + " is subscribed but no rule of the pack reads " + type);
      }
    }
    return this;
  }

  /** A PEM file of certificates the process must trust (or present). */
  public Preflight certificate(String key, Path pem) {
    if (pem == null) {
      return this;
    }
    if (!Files.isReadable(pem)) {
      return error(key, pem + " cannot be read");
    }
    try (InputStream in = Files.newInputStream(pem)) {
      if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
        return error(
            key, pem + " holds no certificate (expected PEM: -----BEGIN CERTIFICATE-----)");
      }
    } catch (IOException | GeneralSecurityException e) {
      return error(key, pem + " is not a PEM certificate (expected -----BEGIN CERTIFICATE-----)");
    }
    return this;
  }

  /** A PEM private key (PKCS#8, or PKCS#1 RSA / SEC1 EC, as OpenSSL writes them). */
  public Preflight privateKey(String key, Path pem) {
    if (pem == null) {
      return this;
    }
    String text;
    try {
      text = Files.readString(pem, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return error(key, pem + " cannot be read");
    }
    Matcher block = PEM_BLOCK.matcher(text);
    if (!block.find() || !block.group(1).endsWith("PRIVATE KEY")) {
      return error(key, pem + " is not a PEM private key (expected -----BEGIN PRIVATE KEY-----)");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(block.group(2).replaceAll("\\s", ""));
    } catch (IllegalArgumentException e) {
      return error(key, pem + " is a damaged PEM private key (its base64 does not decode)");
    }
    if (block.group(1).equals("PRIVATE KEY")) {
      for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
        try {
          KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
          return this;
        } catch (GeneralSecurityException e) {
          // try the next algorithm
        }
      }
      return error(key, pem + " is not an RSA, EC or Ed25519 private key that Java can read");
    }
    return this; // PKCS#1 / SEC1: decoded; the TLS library parses the structure itself
  }

  /** A port the process will listen on must be free now (0 picks any free port). */
  public Preflight portFree(String key, String host, int port) {
    if (port == 0) {
      return this;
    }
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
    } catch (IOException e) {
      return error(key, host + ":" + port + " cannot be listened on: " + e.getMessage());
    }
    return this;
  }

  /**
   * A stream quiet for {@code staleAfterMillis} is reopened; below the keepalive interval (plus a
   * margin) a quiet but healthy topic is reopened forever.
   */
  public Preflight staleAfter(String key, long staleAfterMillis) {
    long minimum = KEEPALIVE_MILLIS + KEEPALIVE_MARGIN_MILLIS;
    if (staleAfterMillis < minimum) {
      warning(
          key,
          staleAfterMillis / 1000
              + " s is shorter than Salesforce's keepalive interval (up to "
              + KEEPALIVE_MILLIS / 1000
              + " s on a quiet topic) plus a margin: quiet topics would be reopened again and"
              + " again; use at least "
              + minimum / 1000);
    }
    return this;
  }

  private Preflight error(String key, String message) {
    findings.add(new Finding(Level.ERROR, key, message));
    return this;
  }

  private Preflight warning(String key, String message) {
    findings.add(new Finding(Level.WARNING, key, message));
    return this;
  }

  private static Set<String> declaredTypes(RulePack pack) {
    Set<String> types = new TreeSet<>();
    Pattern schema =
        Pattern.compile("create\\s+(?:map\\s+|objectarray\\s+|json\\s+)?schema\\s+(\\w+)");
    for (RuleDefinition.Source source : pack.shared()) {
      Matcher m = schema.matcher(source.text());
      while (m.find()) {
        types.add(m.group(1));
      }
    }
    return types;
  }

  private static boolean readByAnyRule(String type, RulePack pack) {
    Pattern word = Pattern.compile("\\b" + Pattern.quote(type) + "\\b");
    return pack.rules().stream()
        .anyMatch(
            r ->
                (r.epl() != null && word.matcher(r.epl().text()).find())
                    || (r.drl() != null && word.matcher(r.drl().text()).find()));
  }

  /** The channel closest to a misspelt one, among both names each event type is read from. */
  private static Optional<String> nearest(String topic, Set<String> declared) {
    String typed = topic.toLowerCase();
    return declared.stream()
        .flatMap(t -> java.util.stream.Stream.of("/event/" + t, "/event/" + t + "Stream"))
        .filter(c -> distance(c.toLowerCase(), typed) <= 3)
        .min(Comparator.comparingInt(c -> distance(c.toLowerCase(), typed)));
  }

  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  private static String reason(FileSystemException e) {
    String why = e.getReason();
    return why != null ? why : e.getClass().getSimpleName();
  }

  /** Removes folders this check created, innermost first, up to where the path existed. */
  private static void removeCreated(Path existed, Path created) {
    if (existed == null) {
      return;
    }
    for (Path p = created; p != null && !p.equals(existed); p = p.getParent()) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        return;
      }
    }
  }
}
