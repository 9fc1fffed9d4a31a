package io.leakwatch.config;

import io.leakwatch.api.ApiConfig;
import io.leakwatch.preflight.Preflight;
import io.leakwatch.rulepack.RulePack;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * What {@code run} would fail on at start, found before it starts, named by the key that causes it:
 * the same checks for {@code config check} and for {@code run} itself.
 */
public final class StartChecks {
  private StartChecks() {}

  /**
   * @param packFor the rule pack of an org's rules folder (null: the built-in pack)
   */
  public static Preflight of(EngineConfig config, Function<Path, RulePack> packFor) {
    Preflight checks = new Preflight();
    checks.writableFolder("state", config.state());
    for (OrgConfig org : config.orgs()) {
      String at = org.key();
      if (org.durability().durable()) {
        checks.writableFolder("state (" + at + ")", org.durability().stateDir());
      }
      checks.profile(at + ".profile", org.profile());
      checks.writableFile(at + ".deadLetters", org.deadLetters());
      checks.topics(at + ".topics", org.topics(), packFor.apply(org.rules()));
      checks.certificate(at + ".endpoint.trustCertificate", org.endpoint().trustedCertificate());
      if (!org.drill()) {
        // A drill org's simulator keeps its streams busy; its quiet topics never matter.
        checks.staleAfter(at + ".staleAfterSeconds", org.durability().staleAfterMillis());
      }
    }
    ApiConfig api = config.api();
    if (api != null) {
      checks.certificate("api.tls.cert", api.tlsCert());
      checks.privateKey("api.tls.key", api.tlsKey());
      checks.portFree("api.port", api.host(), api.port());
    }
    if (config.cluster() != null) {
      checks.portFree("cluster.port", config.cluster().host(), config.cluster().port());
    }
    return checks;
  }
}
