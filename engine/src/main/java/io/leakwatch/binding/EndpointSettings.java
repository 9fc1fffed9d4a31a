package io.leakwatch.binding;

import io.leakwatch.pubsub.PubSubEndpoint;

/**
 * A Pub/Sub API endpoint: {@code {host: api.pubsub.salesforce.com, port: 7443}}, with an optional
 * {@code trustCertificate} PEM (a simulator's) instead of the JVM's trust store.
 */
public record EndpointSettings(
    String host, @Range(min = 1, max = 65_535) Integer port, String trustCertificate) {
  public PubSubEndpoint resolve(ConfigSource file, String at) {
    return new PubSubEndpoint(
        file.required(host, at + ".host"),
        file.required(port, at + ".port"),
        file.optionalFile(trustCertificate, at + ".trustCertificate"));
  }
}
