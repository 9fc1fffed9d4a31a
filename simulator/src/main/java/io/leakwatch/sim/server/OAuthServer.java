package io.leakwatch.sim.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The simulated org's OAuth endpoints over HTTPS: {@code /services/oauth2/token} (JWT bearer and
 * client credentials) and {@code /services/oauth2/userinfo}. Tokens it issues expire; the Pub/Sub
 * server asks {@link #isValid} so an expired or unknown token is refused there as on Salesforce.
 */
public final class OAuthServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private record JwtClient(PublicKey key, String username, String userId) {}

  private record SecretClient(String secret, String userId) {}

  private record Issued(String userId, long expiresAt) {}

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final String orgId;
  private final Clock clock;
  private final Duration ttl;
  private final Map<String, JwtClient> jwtClients = new ConcurrentHashMap<>();
  private final Map<String, SecretClient> secretClients = new ConcurrentHashMap<>();
  private final Map<String, Issued> tokens = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();
  private volatile String baseUrl;

  private OAuthServer(String orgId, Clock clock, Duration ttl, SelfSignedCertificate tls)
      throws Exception {
    this.orgId = orgId;
    this.clock = clock;
    this.ttl = ttl;
    this.server =
        vertx
            .createHttpServer(
                new HttpServerOptions()
                    .setSsl(true)
                    .setHost("127.0.0.1")
                    .setPort(0)
                    .setKeyCertOptions(
                        new PemKeyCertOptions()
                            .setCertPath(tls.certificate().toString())
                            .setKeyPath(tls.privateKey().toString())))
            .requestHandler(this::handle);
    server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    baseUrl = "https://localhost:" + server.actualPort();
  }

  /** Starts on loopback with the given certificate; tokens live for {@code ttl}. */
  public static OAuthServer start(String orgId, Path certificate, Path privateKey, Duration ttl)
      throws Exception {
    return new OAuthServer(
        orgId, Clock.systemUTC(), ttl, new SelfSignedCertificate(certificate, privateKey));
  }

  /** The login URL (also the instance URL) clients use. */
  public String url() {
    return baseUrl;
  }

  public void registerJwtClient(String clientId, PublicKey key, String username, String userId) {
    jwtClients.put(clientId, new JwtClient(key, username, userId));
  }

  public void registerSecretClient(String clientId, String secret, String userId) {
    secretClients.put(clientId, new SecretClient(secret, userId));
  }

  /** Whether a token was issued here and has not expired: what the Pub/Sub server accepts. */
  public boolean isValid(String token) {
    Issued issued = tokens.get(token);
    return issued != null && issued.expiresAt() > clock.millis();
  }

  /** Fault injection: every token issued so far expires now. */
  public void expireAll() {
    tokens.replaceAll((token, issued) -> new Issued(issued.userId(), 0));
  }

  public int issued() {
    return tokens.size();
  }

  private void handle(HttpServerRequest request) {
    String path = request.path();
    if (path.equals("/services/oauth2/token") && request.method().name().equals("POST")) {
      request.setExpectMultipart(true);
      request.endHandler(v -> token(request));
    } else if (path.equals("/services/oauth2/userinfo")) {
      String auth = request.getHeader("Authorization");
      String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : "";
      Issued issued = isValid(token) ? tokens.get(token) : null;
      if (issued == null) {
        reply(
            request, 401, Map.of("error", "invalid_token", "error_description", "Bad_OAuth_Token"));
      } else {
        reply(
            request,
            200,
            Map.of(
                "organization_id",
                orgId,
                "user_id",
                issued.userId(),
                "sub",
                baseUrl + "/id/" + orgId + "/" + issued.userId()));
      }
    } else {
      reply(request, 404, Map.of("error", "not_found", "error_description", path));
    }
  }

  private void token(HttpServerRequest request) {
    String grant = request.getFormAttribute("grant_type");
    String userId;
    if ("urn:ietf:params:oauth:grant-type:jwt-bearer".equals(grant)) {
      userId = verifyJwt(request.getFormAttribute("assertion"));
    } else if ("client_credentials".equals(grant)) {
      SecretClient client =
          secretClients.get(String.valueOf(request.getFormAttribute("client_id")));
      userId =
          client != null && client.secret().equals(request.getFormAttribute("client_secret"))
              ? client.userId()
              : null;
    } else {
      reply(
          request,
          400,
          Map.of(
              "error", "unsupported_grant_type", "error_description", "grant type not supported"));
      return;
    }
    if (userId == null) {
      reply(
          request,
          400,
          Map.of("error", "invalid_grant", "error_description", "authentication failure"));
      return;
    }
    byte[] secret = new byte[24];
    random.nextBytes(secret);
    String token =
        orgId.substring(0, 15)
            + "!"
            + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    tokens.put(token, new Issued(userId, clock.millis() + ttl.toMillis()));
    reply(
        request,
        200,
        Map.of(
            "access_token",
            token,
            "instance_url",
            baseUrl,
            "id",
            baseUrl + "/id/" + orgId + "/" + userId,
            "token_type",
            "Bearer",
            "issued_at",
            Long.toString(clock.millis())));
  }

  /** The user id a valid assertion authenticates, or null. */
  private String verifyJwt(String assertion) {
    if (assertion == null) {
      return null;
    }
    String[] parts = assertion.split("\\.");
    if (parts.length != 3) {
      return null;
    }
    try {
      JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
      JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
      JwtClient client = jwtClients.get(claims.path("iss").asText());
      if (client == null || !"RS256".equals(header.path("alg").asText())) {
        return null;
      }
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initVerify(client.key());
      rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      boolean valid =
          rsa.verify(Base64.getUrlDecoder().decode(parts[2]))
              && client.username().equals(claims.path("sub").asText())
              && baseUrl.equals(claims.path("aud").asText())
              && claims.path("exp").asLong() > clock.instant().getEpochSecond();
      return valid ? client.userId() : null;
    } catch (GeneralSecurityException | IllegalArgumentException | java.io.IOException e) {
      return null;
    }
  }

  private static void reply(HttpServerRequest request, int status, Map<String, String> body) {
    try {
      request
          .response()
          .setStatusCode(status)
          .putHeader("Content-Type", "application/json")
          .end(JSON.writeValueAsString(body));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      request.response().setStatusCode(500).end();
    }
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
