package io.leakwatch.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.util.Base64;

/**
 * Signs the JWT bearer assertion Salesforce expects: RS256, {@code iss} = the connected app's
 * client id, {@code sub} = the username, {@code aud} = the login URL, {@code exp} five minutes
 * ahead.
 */
public final class JwtAssertion {
  private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

  private final PrivateKey key;
  private final Clock clock;

  public JwtAssertion(PrivateKey key, Clock clock) {
    this.key = key;
    this.clock = clock;
  }

  /** Reads an unencrypted PKCS#8 PEM RSA key ("BEGIN PRIVATE KEY"). */
  public static PrivateKey readKey(Path pem) {
    try {
      String text = Files.readString(pem, StandardCharsets.US_ASCII);
      if (!text.contains("-----BEGIN PRIVATE KEY-----")) {
        throw new AuthException(
            pem
                + ": expected an unencrypted PKCS#8 PEM key (BEGIN PRIVATE KEY); convert with "
                + "'openssl pkcs8 -topk8 -nocrypt'");
      }
      String base64 = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
      return KeyFactory.getInstance("RSA")
          .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    } catch (IOException e) {
      throw new AuthException(pem + ": cannot read private key: " + e.getMessage(), e);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new AuthException(pem + ": not a usable RSA private key: " + e.getMessage(), e);
    }
  }

  String sign(String clientId, String username, String audience) {
    long exp = clock.instant().getEpochSecond() + 300;
    String header =
        URL.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String claims =
        URL.encodeToString(
            ("{\"iss\":"
                    + json(clientId)
                    + ",\"sub\":"
                    + json(username)
                    + ",\"aud\":"
                    + json(audience)
                    + ",\"exp\":"
                    + exp
                    + "}")
                .getBytes(StandardCharsets.UTF_8));
    try {
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initSign(key);
      rsa.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
      return header + "." + claims + "." + URL.encodeToString(rsa.sign());
    } catch (GeneralSecurityException e) {
      throw new AuthException("cannot sign the JWT assertion: " + e.getMessage(), e);
    }
  }

  private static String json(String value) {
    return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
