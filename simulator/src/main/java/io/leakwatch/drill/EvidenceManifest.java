package io.leakwatch.drill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The integrity of a drill's output folder. {@code manifest.json} lists every other file with its
 * SHA-256 and size; {@code manifest.sig} (when the drill had a key) signs the manifest's exact
 * bytes and carries the public key. Both are written in one canonical form, so verification also
 * catches an edit to them that leaves the hashes alone. Without a signature the manifest proves the
 * files are as listed, not who listed them: pin the signer with {@code --public-key} for that.
 */
public final class EvidenceManifest {
  public static final String MANIFEST = "manifest.json";
  public static final String SIGNATURE = "manifest.sig";
  static final String FORMAT = "leakwatch-drill-manifest/1";
  static final String SIGNATURE_FORMAT = "leakwatch-drill-signature/1";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * What {@link #verify} found.
   *
   * @param problems one line per problem, each starting with the file it concerns; empty when
   *     intact
   * @param files how many listed files matched
   * @param signer the fingerprint of the key that signed the manifest, or null when unsigned
   */
  public record Verification(List<String> problems, int files, String signer) {
    public boolean intact() {
      return problems.isEmpty();
    }
  }

  private EvidenceManifest() {}

  /**
   * Lists every file under {@code dir} in manifest.json and, given a key, signs it into
   * manifest.sig.
   */
  public static void write(Path dir, SigningKey key) throws IOException, GeneralSecurityException {
    Map<String, Path> files = listFiles(dir);
    files.remove(MANIFEST);
    files.remove(SIGNATURE);
    ObjectNode manifest = JSON.createObjectNode();
    manifest.put("format", FORMAT);
    manifest.put("algorithm", "SHA-256");
    manifest.put("signed", key != null);
    if (key != null) {
      manifest.put("signer", SigningKey.fingerprint(key.publicKey()));
    }
    ArrayNode list = manifest.putArray("files");
    for (Map.Entry<String, Path> file : files.entrySet()) {
      list.addObject()
          .put("path", file.getKey())
          .put("sha256", sha256(file.getValue()))
          .put("bytes", Files.size(file.getValue()));
    }
    byte[] manifestBytes = canonical(manifest);
    writeDurably(dir.resolve(MANIFEST), manifestBytes);
    if (key != null) {
      ObjectNode sig = JSON.createObjectNode();
      sig.put("format", SIGNATURE_FORMAT);
      sig.put("signs", MANIFEST);
      sig.put("algorithm", key.algorithm());
      sig.put("publicKey", Base64.getEncoder().encodeToString(key.publicKey().getEncoded()));
      sig.put("publicKeyFingerprint", SigningKey.fingerprint(key.publicKey()));
      sig.put("signature", Base64.getEncoder().encodeToString(key.sign(manifestBytes)));
      writeDurably(dir.resolve(SIGNATURE), canonical(sig));
    }
  }

  /**
   * Recomputes every hash, checks the signature, and reports each altered, missing or unlisted
   * file.
   *
   * @param pinned the public key the manifest must be signed with, or null to accept the key it
   *     carries
   */
  public static Verification verify(Path dir, PublicKey pinned) throws IOException {
    List<String> problems = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return new Verification(List.of(dir + ": no such folder"), 0, null);
    }
    Path manifestFile = dir.resolve(MANIFEST);
    if (!Files.isRegularFile(manifestFile)) {
      return new Verification(List.of(MANIFEST + ": missing"), 0, null);
    }
    byte[] manifestBytes = Files.readAllBytes(manifestFile);
    JsonNode manifest = readCanonical(manifestBytes, MANIFEST, FORMAT, problems);
    if (manifest == null) {
      return new Verification(problems, 0, null);
    }
    Map<String, Path> present = listFiles(dir);
    present.remove(MANIFEST);
    boolean signed = manifest.path("signed").asBoolean(false);
    int matched = 0;
    TreeSet<String> listed = new TreeSet<>();
    for (JsonNode entry : manifest.path("files")) {
      String path = entry.path("path").asText("");
      if (!safe(path) || path.equals(MANIFEST) || path.equals(SIGNATURE) || !listed.add(path)) {
        problems.add(MANIFEST + ": lists an invalid or repeated path '" + path + "'");
        continue;
      }
      Path file = present.remove(path);
      if (file == null) {
        problems.add(path + ": missing (listed in the manifest)");
      } else if (!sha256(file).equals(entry.path("sha256").asText())) {
        problems.add(path + ": altered (its SHA-256 differs from the manifest)");
      } else if (Files.size(file) != entry.path("bytes").asLong(-1)) {
        problems.add(path + ": altered (its size differs from the manifest)");
      } else {
        matched++;
      }
    }
    Path signatureFile = present.remove(SIGNATURE);
    for (String extra : present.keySet()) {
      problems.add(extra + ": not listed in the manifest (added after the drill)");
    }
    String signer = null;
    if (signed) {
      signer =
          checkSignature(
              signatureFile, manifestBytes, manifest.path("signer").asText(""), pinned, problems);
    } else {
      if (signatureFile != null) {
        problems.add(SIGNATURE + ": present, but the manifest says the drill was not signed");
      }
      if (pinned != null) {
        problems.add(MANIFEST + ": not signed, but --public-key asks for a signature");
      }
    }
    return new Verification(List.copyOf(problems), matched, signer);
  }

  private static String checkSignature(
      Path signatureFile,
      byte[] manifestBytes,
      String signer,
      PublicKey pinned,
      List<String> problems)
      throws IOException {
    if (signatureFile == null) {
      problems.add(SIGNATURE + ": missing (the manifest says the drill was signed)");
      return null;
    }
    JsonNode sig =
        readCanonical(Files.readAllBytes(signatureFile), SIGNATURE, SIGNATURE_FORMAT, problems);
    if (sig == null) {
      return null;
    }
    try {
      PublicKey key =
          SigningKey.publicKey(
              Base64.getDecoder().decode(sig.path("publicKey").asText()), SIGNATURE);
      String fingerprint = SigningKey.fingerprint(key);
      if (!fingerprint.equals(sig.path("publicKeyFingerprint").asText())) {
        problems.add(SIGNATURE + ": its public key does not match the fingerprint it states");
      }
      if (!fingerprint.equals(signer)) {
        problems.add(
            SIGNATURE + ": signed by " + fingerprint + ", but the manifest names " + signer);
      }
      if (pinned != null && !fingerprint.equals(SigningKey.fingerprint(pinned))) {
        problems.add(
            SIGNATURE
                + ": signed by "
                + fingerprint
                + ", not by the given public key "
                + SigningKey.fingerprint(pinned));
      }
      String algorithm = sig.path("algorithm").asText();
      if (!algorithm.equals("Ed25519") && !algorithm.equals("SHA256withECDSA")) {
        problems.add(SIGNATURE + ": unsupported signature algorithm '" + algorithm + "'");
        return fingerprint;
      }
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(key);
      verifier.update(manifestBytes);
      if (!verifier.verify(Base64.getDecoder().decode(sig.path("signature").asText()))) {
        problems.add(
            SIGNATURE
                + ": the signature does not match "
                + MANIFEST
                + " (one of them was altered)");
      }
      return fingerprint;
    } catch (SigningKey.KeyException e) {
      problems.add(SIGNATURE + ": the public key it carries is not usable");
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      problems.add(
          SIGNATURE
              + ": the signature could not be checked ("
              + e.getClass().getSimpleName()
              + ")");
    }
    return null;
  }

  /**
   * The parsed file when it is exactly as this class writes it; otherwise null and a problem naming
   * it.
   */
  private static JsonNode readCanonical(
      byte[] bytes, String name, String format, List<String> problems) {
    try {
      JsonNode node = JSON.readTree(bytes);
      if (node == null || !node.isObject() || !format.equals(node.path("format").asText())) {
        problems.add(name + ": not a " + format + " file");
        return null;
      }
      if (!Arrays.equals(bytes, canonical(node))) {
        problems.add(name + ": altered (not in the form the drill wrote)");
        return null;
      }
      return node;
    } catch (IOException e) {
      problems.add(name + ": altered or damaged (not valid JSON)");
      return null;
    }
  }

  private static byte[] canonical(JsonNode node) throws IOException {
    return (JSON.writeValueAsString(node) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  /** Every regular file under {@code dir} by its relative path with '/' separators, sorted. */
  private static Map<String, Path> listFiles(Path dir) throws IOException {
    Map<String, Path> files = new LinkedHashMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.filter(p -> !Files.isDirectory(p)).sorted().toList()) {
        files.put(dir.relativize(p).toString().replace('\\', '/'), p);
      }
    }
    return files;
  }

  private static boolean safe(String path) {
    return !path.isEmpty()
        && !path.startsWith("/")
        && !path.contains("\\")
        && Stream.of(path.split("/"))
            .noneMatch(s -> s.isEmpty() || s.equals("..") || s.equals("."));
  }

  static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[65_536];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Writes, forces to disk: evidence that vanishes in a crash is no evidence. */
  static void writeDurably(Path file, byte[] bytes) throws IOException {
    try (FileChannel channel =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    }
  }
}
