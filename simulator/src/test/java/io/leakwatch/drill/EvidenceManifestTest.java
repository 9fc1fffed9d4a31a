package io.leakwatch.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Manifests and signatures over a small folder, with the key forms users bring. */
class EvidenceManifestTest {
  @TempDir Path dir;

  private Path evidence() throws Exception {
    Path out = Files.createDirectories(dir.resolve("evidence"));
    Files.writeString(out.resolve("report.json"), "{\"passed\":true}\n");
    Files.writeString(out.resolve("report.html"), "<p>ok</p>\n");
    Files.createDirectories(out.resolve("extra"));
    Files.writeString(out.resolve("extra/notes.txt"), "nested files are listed too\n");
    return out;
  }

  private static Path pem(Path file, String type, byte[] der) throws Exception {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    Files.writeString(
        file, "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n");
    return file;
  }

  @Test
  void signsWithEd25519AndEcdsaKeysInPkcs8AndSec1Form() throws Exception {
    // BouncyCastle's EC keys keep the curve inside the key, so they write as full SEC1 the way
    // `openssl ecparam -genkey` does (the JDK's encoding would lose the curve there).
    KeyPairGenerator ec =
        KeyPairGenerator.getInstance(
            "EC", new org.bouncycastle.jce.provider.BouncyCastleProvider());
    ec.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair p256 = ec.generateKeyPair();
    KeyPair ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    StringWriter sec1 = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(sec1)) {
      writer.writeObject(p256.getPrivate());
    }
    assertTrue(sec1.toString().contains("BEGIN EC PRIVATE KEY"), sec1.toString().substring(0, 30));
    List<Path> keys =
        List.of(
            pem(dir.resolve("ed.pem"), "PRIVATE KEY", ed.getPrivate().getEncoded()),
            pem(dir.resolve("p256.pem"), "PRIVATE KEY", p256.getPrivate().getEncoded()),
            Files.writeString(dir.resolve("p256-sec1.pem"), sec1.toString()));
    List<KeyPair> pairs = List.of(ed, p256, p256);
    for (int i = 0; i < keys.size(); i++) {
      Path out = evidence();
      SigningKey key = SigningKey.load(keys.get(i));
      assertEquals(
          SigningKey.fingerprint(pairs.get(i).getPublic()),
          SigningKey.fingerprint(key.publicKey()),
          "public key derived from " + keys.get(i));
      EvidenceManifest.write(out, key);
      Path pub =
          pem(
              dir.resolve("pub-" + i + ".pem"),
              "PUBLIC KEY",
              pairs.get(i).getPublic().getEncoded());
      EvidenceManifest.Verification ok = EvidenceManifest.verify(out, SigningKey.loadPublic(pub));
      assertTrue(ok.intact(), ok.problems().toString());
      assertEquals(3, ok.files());
      assertEquals(SigningKey.fingerprint(pairs.get(i).getPublic()), ok.signer());
      for (String file : List.of("manifest.json", "manifest.sig", "extra/notes.txt")) {
        Path target = out.resolve(file);
        String original = Files.readString(target);
        Files.writeString(target, original + "x");
        EvidenceManifest.Verification bad = EvidenceManifest.verify(out, null);
        assertFalse(bad.intact(), file);
        assertTrue(
            bad.problems().stream().anyMatch(p -> p.startsWith(file)), bad.problems().toString());
        Files.writeString(target, original);
      }
      Files.walk(out).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void anUnsignedManifestStillCatchesEditsToItself() throws Exception {
    Path out = evidence();
    EvidenceManifest.write(out, null);
    assertTrue(EvidenceManifest.verify(out, null).intact());
    assertNull(EvidenceManifest.verify(out, null).signer());
    Path manifest = out.resolve("manifest.json");
    String original = Files.readString(manifest);
    Files.writeString(manifest, original.replace("\"signed\" : false", "\"signed\" : false "));
    assertEquals(
        List.of("manifest.json: altered (not in the form the drill wrote)"),
        EvidenceManifest.verify(out, null).problems());
    Files.writeString(manifest, original.replace("report.json", "report.jsom"));
    List<String> problems = EvidenceManifest.verify(out, null).problems();
    assertTrue(
        problems.contains("report.jsom: missing (listed in the manifest)"), problems.toString());
    assertTrue(
        problems.contains("report.json: not listed in the manifest (added after the drill)"),
        problems.toString());
    Files.writeString(
        manifest, original.replace("\"path\" : \"report.html\"", "\"path\" : \"../report.html\""));
    assertTrue(
        EvidenceManifest.verify(out, null).problems().stream()
            .anyMatch(p -> p.contains("invalid or repeated path")));
  }

  @Test
  void unusableKeysAreRefusedNamingTheFileNotTheKey() throws Exception {
    Path notPem = Files.writeString(dir.resolve("notes.pem"), "just text\n");
    SigningKey.KeyException e =
        assertThrows(SigningKey.KeyException.class, () -> SigningKey.load(notPem));
    assertTrue(e.getMessage().startsWith(notPem.toString()), e.getMessage());
    Path missing = dir.resolve("absent.pem");
    assertTrue(
        assertThrows(SigningKey.KeyException.class, () -> SigningKey.load(missing))
            .getMessage()
            .contains("no such"));
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    byte[] der = rsa.generateKeyPair().getPrivate().getEncoded();
    Path rsaKey = pem(dir.resolve("rsa.pem"), "PRIVATE KEY", der);
    String message =
        assertThrows(SigningKey.KeyException.class, () -> SigningKey.load(rsaKey)).getMessage();
    assertTrue(message.contains("unsupported key type"), message);
    String body =
        Files.readString(rsaKey)
            .lines()
            .filter(l -> !l.startsWith("-----"))
            .findFirst()
            .orElseThrow();
    assertFalse(
        message.contains(body.substring(0, 20)), "the key's content never reaches an error");
  }
}
