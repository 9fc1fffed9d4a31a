package io.leakwatch.drill;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * A key pair that signs drill manifests, read from the PEM private key a user provides: Ed25519 or
 * ECDSA (P-256 and other named curves), as {@code openssl genpkey} writes them (PKCS#8) or as
 * {@code openssl ecparam -genkey} does (SEC1). Errors name the file, never the key's content.
 */
public final class SigningKey {
  private final PrivateKey privateKey;
  private final PublicKey publicKey;
  private final String algorithm;

  private SigningKey(PrivateKey privateKey, PublicKey publicKey, String algorithm) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.algorithm = algorithm;
  }

  /**
   * A signing key that cannot be used: missing, unreadable, encrypted or of an unsupported type.
   */
  public static final class KeyException extends IOException {
    KeyException(String message) {
      super(message);
    }
  }

  public static SigningKey load(Path pem) throws KeyException {
    Object parsed = parse(pem, "private key");
    try {
      PrivateKeyInfo info;
      SubjectPublicKeyInfo publicInfo = null;
      if (parsed instanceof PEMKeyPair pair) {
        info = pair.getPrivateKeyInfo();
        // A SEC1 key may omit its public point; then it is derived below.
        publicInfo =
            pair.getPublicKeyInfo() == null || pair.getPublicKeyInfo().getPublicKeyData() == null
                ? null
                : pair.getPublicKeyInfo();
      } else if (parsed instanceof PrivateKeyInfo plain) {
        info = plain;
      } else if (parsed instanceof PKCS8EncryptedPrivateKeyInfo) {
        throw new KeyException(
            pem
                + ": the private key is encrypted; give an unencrypted copy (openssl pkey -in KEY -out PLAIN)");
      } else {
        throw new KeyException(
            pem + ": not a PEM private key (expected BEGIN PRIVATE KEY or BEGIN EC PRIVATE KEY)");
      }
      String algorithm = algorithmOf(info.getPrivateKeyAlgorithm().getAlgorithm().getId(), pem);
      if (publicInfo == null) {
        publicInfo =
            SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(
                publicOf(PrivateKeyFactory.createKey(info)));
      }
      KeyFactory factory = KeyFactory.getInstance(algorithm.equals("Ed25519") ? "Ed25519" : "EC");
      PrivateKey privateKey = factory.generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
      PublicKey publicKey = factory.generatePublic(new X509EncodedKeySpec(publicInfo.getEncoded()));
      return new SigningKey(privateKey, publicKey, algorithm);
    } catch (KeyException e) {
      throw e;
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new KeyException(
          pem + ": the private key could not be used (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** A PEM public key ({@code BEGIN PUBLIC KEY}, as {@code openssl pkey -pubout} writes it). */
  public static PublicKey loadPublic(Path pem) throws KeyException {
    Object parsed = parse(pem, "public key");
    if (!(parsed instanceof SubjectPublicKeyInfo info)) {
      throw new KeyException(pem + ": not a PEM public key (expected BEGIN PUBLIC KEY)");
    }
    try {
      return publicKey(info.getEncoded(), pem.toString());
    } catch (KeyException e) {
      throw e;
    } catch (IOException e) {
      throw new KeyException(pem + ": not a usable public key");
    }
  }

  /**
   * A public key from its X.509 SubjectPublicKeyInfo encoding; {@code where} names its source in
   * errors.
   */
  static PublicKey publicKey(byte[] encoded, String where) throws KeyException {
    try {
      SubjectPublicKeyInfo info = SubjectPublicKeyInfo.getInstance(encoded);
      String algorithm = algorithmOf(info.getAlgorithm().getAlgorithm().getId(), Path.of(where));
      return KeyFactory.getInstance(algorithm.equals("Ed25519") ? "Ed25519" : "EC")
          .generatePublic(new X509EncodedKeySpec(encoded));
    } catch (KeyException e) {
      throw e;
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new KeyException(
          where + ": not a usable public key (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static Object parse(Path pem, String what) throws KeyException {
    try (Reader reader = new StringReader(Files.readString(pem, StandardCharsets.US_ASCII));
        PEMParser parser = new PEMParser(reader)) {
      Object parsed = parser.readObject();
      if (parsed == null) {
        throw new KeyException(pem + ": no PEM " + what + " in the file");
      }
      return parsed;
    } catch (KeyException e) {
      throw e;
    } catch (NoSuchFileException e) {
      throw new KeyException(pem + ": no such " + what + " file");
    } catch (IOException | RuntimeException e) {
      throw new KeyException(
          pem + ": not a readable PEM " + what + " (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static String algorithmOf(String oid, Path where) throws KeyException {
    if (oid.equals(EdECObjectIdentifiers.id_Ed25519.getId())) {
      return "Ed25519";
    }
    if (oid.equals(X9ObjectIdentifiers.id_ecPublicKey.getId())) {
      return "SHA256withECDSA";
    }
    throw new KeyException(
        where + ": unsupported key type (OID " + oid + "); use Ed25519 or ECDSA P-256");
  }

  private static AsymmetricKeyParameter publicOf(AsymmetricKeyParameter key) throws KeyException {
    if (key instanceof Ed25519PrivateKeyParameters ed) {
      return ed.generatePublicKey();
    }
    if (key instanceof ECPrivateKeyParameters ec) {
      return new ECPublicKeyParameters(
          ec.getParameters().getG().multiply(ec.getD()).normalize(), ec.getParameters());
    }
    throw new KeyException("unsupported private key type " + key.getClass().getSimpleName());
  }

  /** The signature algorithm: {@code Ed25519} or {@code SHA256withECDSA}. */
  public String algorithm() {
    return algorithm;
  }

  public PublicKey publicKey() {
    return publicKey;
  }

  public byte[] sign(byte[] data) throws GeneralSecurityException {
    Signature signature = Signature.getInstance(algorithm);
    signature.initSign(privateKey);
    signature.update(data);
    return signature.sign();
  }

  /**
   * {@code SHA256:} and the hex SHA-256 of the public key's X.509 encoding, the form the manifest
   * records.
   */
  public static String fingerprint(PublicKey key) {
    try {
      return "SHA256:"
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
