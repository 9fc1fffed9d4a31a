package io.leakwatch.config;

import io.leakwatch.api.ApiConfig;
import io.leakwatch.binding.ConfigSource;
import io.leakwatch.binding.Range;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code api:} mapping: {@code {host: 0.0.0.0, port: 8443, tokens: ['${LEAKWATCH_API_TOKEN}'],
 * tls: {cert: api.pem, key: api-key.pem}}}. The host defaults to loopback.
 */
record ApiSection(
    String host, @Range(min = 0, max = 65_535) Integer port, List<String> tokens, Tls tls) {
  /** Shortest API token accepted: a guessable token is no protection. */
  static final int MIN_TOKEN_LENGTH = 16;

  record Tls(String cert, String key) {}

  /** Without the tokens. */
  @Override
  public String toString() {
    return "ApiSection[host=" + host + ", port=" + port + ", tls=" + tls + "]";
  }

  ApiConfig resolve(ConfigSource file) {
    String bindHost = host == null ? "127.0.0.1" : file.required(host, "api.host");
    int bindPort = file.required(port, "api.port");
    if (tokens == null) {
      throw file.problem("api.tokens", "is required");
    }
    if (tokens.isEmpty()) {
      throw file.problem(
          "api.tokens",
          "must be a non-empty list of bearer tokens, e.g. ['${LEAKWATCH_API_TOKEN}']");
    }
    List<String> accepted = new ArrayList<>();
    for (int i = 0; i < tokens.size(); i++) {
      String key = "api.tokens[" + i + "]";
      // A secret file mounted into the environment often ends with a newline; it is not part of
      // the token.
      String token = file.required(tokens.get(i), key).strip();
      if (token.length() < MIN_TOKEN_LENGTH) {
        throw file.problem(
            key, "must be at least " + MIN_TOKEN_LENGTH + " characters (a long random string)");
      }
      accepted.add(token);
    }
    Path cert = null;
    Path key = null;
    if (tls != null) {
      cert = file.file(tls.cert(), "api.tls.cert");
      key = file.file(tls.key(), "api.tls.key");
    }
    return new ApiConfig(bindHost, bindPort, accepted, cert, key);
  }
}
