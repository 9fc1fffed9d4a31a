package io.leakwatch.pubsub;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Where a Pub/Sub server listens. Always TLS: Salesforce only speaks TLS, and so does the
 * simulator.
 *
 * @param trustedCertificate a PEM file of CA certificates to trust instead of the JVM's default
 *     trust store (for the simulator's self-signed certificate), or null
 */
public record PubSubEndpoint(String host, int port, Path trustedCertificate) {
  public static final String SALESFORCE_HOST = "api.pubsub.salesforce.com";
  public static final int SALESFORCE_PORT = 7443;

  public PubSubEndpoint {
    Objects.requireNonNull(host, "host");
    if (port <= 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }

  public static PubSubEndpoint salesforce() {
    return new PubSubEndpoint(SALESFORCE_HOST, SALESFORCE_PORT, null);
  }

  /** Opens a TLS channel with keepalive pings so a dead connection is noticed. */
  public ManagedChannel openChannel() {
    ChannelCredentials tls;
    try {
      TlsChannelCredentials.Builder builder = TlsChannelCredentials.newBuilder();
      if (trustedCertificate != null) {
        builder.trustManager(trustedCertificate.toFile());
      }
      tls = builder.build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read trusted certificate " + trustedCertificate, e);
    }
    return Grpc.newChannelBuilderForAddress(host, port, tls)
        .keepAliveTime(60, TimeUnit.SECONDS)
        .keepAliveTimeout(20, TimeUnit.SECONDS)
        // Up to 100 events of up to 1 MB each may come in one response.
        .maxInboundMessageSize(128 * 1024 * 1024)
        .build();
  }

  @Override
  public String toString() {
    return host + ":" + port;
  }
}
