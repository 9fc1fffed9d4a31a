package io.leakwatch.engine;

import io.leakwatch.cep.EsperRules;
import io.leakwatch.decision.DroolsDecider;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.rulepack.RulePackException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Function;
import java.util.function.Supplier;
import org.drools.compiler.kie.builder.impl.InternalKieModule;
import org.kie.api.KieBase;

/**
 * A rule pack with its EPL and DRL compiled. Compiling validates the whole pack (every error of
 * every file, with file and line); pipelines are then created from it cheaply. A pack compiled
 * before (same texts, same toolchain) is loaded from the {@link PackCache} instead; its Drools
 * KieBase, about half a second of a cold start, is then made from the stored kjar on a background
 * thread while the caller deploys the EPL, or on first use.
 */
public final class CompiledPack {
  private final RulePack pack;
  private final EsperRules epl;
  private final FutureTask<KieBase> drl;

  public CompiledPack(RulePack pack, EsperRules epl, KieBase drl) {
    this.pack = pack;
    this.epl = epl;
    this.drl = new FutureTask<>(() -> drl);
    this.drl.run();
  }

  /**
   * A pack whose KieBase is made from {@code kjar} when first needed; should that fail (a stored
   * kjar these Drools classes cannot load), {@code fallback} says why and makes it another way.
   */
  CompiledPack(
      RulePack pack,
      EsperRules epl,
      Supplier<InternalKieModule> kjar,
      Function<RuntimeException, KieBase> fallback) {
    this.pack = pack;
    this.epl = epl;
    this.drl =
        new FutureTask<>(
            () -> {
              try {
                return DroolsDecider.base(kjar.get());
              } catch (RuntimeException e) {
                return fallback.apply(e);
              }
            });
  }

  /** The pack compiled, or loaded compiled from the standard {@link PackCache}. */
  public static CompiledPack compile(RulePack pack) {
    return PackCache.standard().compile(pack);
  }

  /**
   * Whether the pack compiles, every error with file and line, without making anything a pipeline
   * would need: a pack found compiled (same texts, same toolchain) is known to compile.
   */
  public static void validate(RulePack pack) {
    PackCache.standard().validate(pack);
  }

  public RulePack pack() {
    return pack;
  }

  public EsperRules epl() {
    return epl;
  }

  /** The STREAM-mode KieBase of the pack's DRL; waits if it is being made. */
  public KieBase drl() {
    drl.run(); // returns at once when another thread runs it or it has run
    try {
      return drl.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the pack's KieBase was made", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Starts making the KieBase on a daemon thread, so it is ready when a pipeline needs it. */
  CompiledPack prepareInBackground() {
    if (!drl.isDone()) {
      Thread thread = new Thread(drl, "leakwatch-kiebase");
      thread.setDaemon(true);
      thread.start(); // a failure is kept by the task and thrown by drl()
    }
    return this;
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
