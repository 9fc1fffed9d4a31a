package io.leakwatch.engine;

import io.leakwatch.cep.EsperRules;
import io.leakwatch.decision.DroolsDecider;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.rulepack.RulePackException;
import org.drools.compiler.kie.builder.impl.InternalKieModule;
import org.kie.api.KieBase;

/**
 * A rule pack with its EPL and DRL compiled. Compiling validates the whole pack (every error of
 * every file, with file and line); pipelines are then created from it cheaply. A pack compiled
 * before (same texts, same toolchain) is loaded from the {@link PackCache} instead.
 */
public record CompiledPack(RulePack pack, EsperRules epl, KieBase drl) {
  /** The pack compiled, or loaded compiled from the standard {@link PackCache}. */
  public static CompiledPack compile(RulePack pack) {
    return PackCache.standard().compile(pack);
  }

  /** Runs both compilers, whatever is cached; every error of both is reported together. */
  static CompiledPackFile.Compiled compileFresh(RulePack pack) {
    EsperRules epl = null;
    RulePackException eplError = null;
    try {
      epl = EsperRules.compile(pack);
    } catch (RulePackException e) {
      eplError = e;
    }
    InternalKieModule drl;
    try {
      drl = DroolsDecider.build(pack);
    } catch (RulePackException e) {
      throw eplError == null
          ? e
          : new RulePackException(eplError.getMessage() + "\n" + e.getMessage());
    }
    if (eplError != null) {
      throw eplError;
    }
    return new CompiledPackFile.Compiled(epl, drl);
  }
}
