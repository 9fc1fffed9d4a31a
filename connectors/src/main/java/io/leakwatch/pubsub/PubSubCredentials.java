package io.leakwatch.pubsub;

import java.util.Objects;

/**
 * What every Pub/Sub RPC carries as metadata. The token is a secret: {@link #toString()} never
 * shows it, so a credentials object can be logged by accident without harm.
 */
public record PubSubCredentials(String accessToken, String instanceUrl, String tenantId) {
  public PubSubCredentials {
    Objects.requireNonNull(accessToken, "accessToken");
    Objects.requireNonNull(instanceUrl, "instanceUrl");
    Objects.requireNonNull(tenantId, "tenantId");
  }

  @Override
  public String toString() {
    return "PubSubCredentials[instanceUrl="
        + instanceUrl
        + ", tenantId="
        + tenantId
        + ", accessToken=<redacted>]";
  }
}
