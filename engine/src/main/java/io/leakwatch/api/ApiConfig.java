package io.leakwatch.api;

import java.nio.file.Path;
import java.util.List;

/**
 * Where the HTTP API listens and who may call it. Never printed whole: {@link #toString()} leaves
 * the tokens out.
 *
 * @param tokens bearer tokens that are accepted (any of them); at least one
 * @param tlsCert PEM certificate chain, or null for plain HTTP
 * @param tlsKey PEM private key (PKCS#8 or PKCS#1), set exactly when {@code tlsCert} is
 */
public record ApiConfig(String host, int port, List<String> tokens, Path tlsCert, Path tlsKey) {
  public ApiConfig {
    tokens = List.copyOf(tokens);
    if (tokens.isEmpty()) {
      throw new IllegalArgumentException("at least one API token is required");
    }
  }

  public boolean tls() {
    return tlsCert != null;
  }

  @Override
  public String toString() {
    return (tls() ? "https://" : "http://")
        + host
        + ":"
        + port
        + " ("
        + tokens.size()
        + " token"
        + (tokens.size() == 1 ? "" : "s")
        + ")";
  }
}
