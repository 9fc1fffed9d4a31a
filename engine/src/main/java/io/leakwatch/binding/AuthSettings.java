package io.leakwatch.binding;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leakwatch.auth.AccessGrant;
import io.leakwatch.auth.AuthException;
import io.leakwatch.auth.JwtAssertion;
import io.leakwatch.auth.OAuthFlow;
import io.leakwatch.auth.TokenSource;
import io.leakwatch.auth.TrustedCertificates;
import java.io.IOException;
import java.net.http.HttpClient;
import java.security.PrivateKey;
import java.time.Clock;
import java.util.Map;

/**
 * How Leakwatch signs in to a Salesforce org: the {@code auth:} mapping of an org, and of the
 * platform-event alert sink. {@code type} picks the kind; without it, a static token.
 *
 * <pre>
 * auth: {accessToken: ${SF_ACCESS_TOKEN}, instanceUrl: https://acme.my.salesforce.com, tenantId: 00D...}
 * auth: {type: jwt, loginUrl: https://login.salesforce.com, clientId: ..., username: ..., privateKey: key.pem}
 * auth: {type: clientCredentials, loginUrl: https://acme.my.salesforce.com, clientId: ..., clientSecret: ${SECRET}}
 * </pre>
 *
 * {@code trustCertificate} (OAuth kinds): a PEM the token endpoint's certificate must chain to,
 * instead of the JVM's trust store.
 */
@JsonDeserialize(using = AuthSettings.ByType.class)
public sealed interface AuthSettings {
  /** The kinds by their {@code type}; a mapping without one is a static token. */
  Map<String, Class<? extends AuthSettings>> KINDS =
      Map.of(
          "static", StaticToken.class,
          "jwt", JwtBearer.class,
          "clientCredentials", ClientCredentials.class);

  /**
   * The token source these settings describe; files are read and checked now.
   *
   * @param at the key of this mapping, e.g. {@code orgs[0].auth}
   */
  TokenSource tokens(ConfigSource file, String at);

  /** The kind and the URL the credentials are for, for summaries; URLs are not secrets. */
  String describe();

  /** A token obtained elsewhere (a session id); it cannot be refreshed. */
  @JsonDeserialize(using = JsonDeserializer.None.class)
  record StaticToken(String accessToken, String instanceUrl, String tenantId)
      implements AuthSettings {
    @Override
    public TokenSource tokens(ConfigSource file, String at) {
      return TokenSource.fixed(
          new AccessGrant(
              file.required(accessToken, at + ".accessToken"),
              file.required(instanceUrl, at + ".instanceUrl"),
              file.required(tenantId, at + ".tenantId")));
    }

    @Override
    public String describe() {
      return "static access token for " + instanceUrl;
    }

    @Override
    public String toString() {
      return "StaticToken[instanceUrl=" + instanceUrl + ", tenantId=" + tenantId + "]";
    }
  }

  /** OAuth 2.0 JWT bearer: an assertion signed with the connected app's private key. */
  @JsonDeserialize(using = JsonDeserializer.None.class)
  record JwtBearer(
      String loginUrl, String clientId, String username, String privateKey, String trustCertificate)
      implements AuthSettings {
    @Override
    public TokenSource tokens(ConfigSource file, String at) {
      String login = file.required(loginUrl, at + ".loginUrl");
      String client = file.required(clientId, at + ".clientId");
      String user = file.required(username, at + ".username");
      PrivateKey key;
      try {
        key = JwtAssertion.readKey(file.file(privateKey, at + ".privateKey"));
      } catch (AuthException e) {
        throw file.problem(at + ".privateKey", e.getMessage());
      }
      return OAuthFlow.jwtBearer(
          login,
          client,
          user,
          new JwtAssertion(key, Clock.systemUTC()),
          http(file, trustCertificate, at));
    }

    @Override
    public String describe() {
      return "OAuth JWT bearer via " + loginUrl;
    }
  }

  /** OAuth 2.0 client credentials: the connected app's id and secret. */
  @JsonDeserialize(using = JsonDeserializer.None.class)
  record ClientCredentials(
      String loginUrl, String clientId, String clientSecret, String trustCertificate)
      implements AuthSettings {
    @Override
    public TokenSource tokens(ConfigSource file, String at) {
      return OAuthFlow.clientCredentials(
          file.required(loginUrl, at + ".loginUrl"),
          file.required(clientId, at + ".clientId"),
          file.required(clientSecret, at + ".clientSecret"),
          http(file, trustCertificate, at));
    }

    @Override
    public String describe() {
      return "OAuth client credentials via " + loginUrl;
    }

    @Override
    public String toString() {
      return "ClientCredentials[loginUrl=" + loginUrl + ", clientId=" + clientId + "]";
    }
  }

  private static HttpClient http(ConfigSource file, String trustCertificate, String at) {
    return TrustedCertificates.httpClient(
        file.optionalFile(trustCertificate, at + ".trustCertificate"));
  }

  /** Picks the kind by {@code type} (static when absent) and binds the other keys to it. */
  final class ByType extends JsonDeserializer<AuthSettings> {
    @Override
    public AuthSettings deserialize(JsonParser parser, DeserializationContext context)
        throws IOException {
      JsonNode node = context.readTree(parser);
      if (!node.isObject()) {
        return (AuthSettings)
            context.handleUnexpectedToken(AuthSettings.class, node.asToken(), parser, null);
      }
      String type = node.has("type") ? node.get("type").asText() : "static";
      Class<? extends AuthSettings> kind = KINDS.get(type);
      if (kind == null) {
        throw InvalidTypeIdException.from(
            parser,
            "must be static, jwt or clientCredentials, was '" + type + "'",
            context.constructType(AuthSettings.class),
            type);
      }
      ObjectNode settings = ((ObjectNode) node).deepCopy();
      settings.remove("type");
      return context.readTreeAsValue(settings, kind);
    }
  }
}
