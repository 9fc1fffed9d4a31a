package io.leakwatch.auth;

import io.leakwatch.pubsub.PubSubCredentials;

/**
 * What an OAuth flow yields: a token, the org's instance URL and its id. The token is never
 * printed.
 */
public record AccessGrant(String accessToken, String instanceUrl, String orgId) {
  public PubSubCredentials credentials() {
    return new PubSubCredentials(accessToken, instanceUrl, orgId);
  }

  @Override
  public String toString() {
    return "AccessGrant[instanceUrl="
        + instanceUrl
        + ", orgId="
        + orgId
        + ", accessToken=<redacted>]";
  }
}
