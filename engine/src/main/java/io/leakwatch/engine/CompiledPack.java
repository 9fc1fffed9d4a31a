package io.leakwatch.engine;

import io.leakwatch.cep.EsperRules;
import io.leakwatch.decision.DroolsDecider;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.rulepack.RulePackException;
import org.kie.api.KieBase;

/**
 * A rule pack with its EPL and DRL compiled. Compiling validates the whole pack (every error of
 * every file, with file and line); pipelines are then created from it cheaply.
 */
public record CompiledPack(RulePack pack, EsperRules epl, KieBase drl) {
  public static CompiledPack compile(RulePack pack) {
    EsperRules epl = null;
    RulePackException eplError = null;
    try {
      epl = EsperRules.compile(pack);
    } catch (RulePackException e) {
      eplError = e;
    }
    KieBase drl;
    try {
      drl = DroolsDecider.compile(pack);
    } catch (RulePackException e) {
      throw eplError == null
          ? e
          : new RulePackException(eplError.getMessage() + "\n" + e.getMessage());
    }
    if (eplError != null) {
      throw eplError;
    }
    return new CompiledPack(pack, epl, drl);
  }
}
