package io.leakwatch.cep;

import com.espertech.esper.common.client.EPCompiled;
import com.espertech.esper.common.client.configuration.Configuration;
import com.espertech.esper.common.client.configuration.compiler.ConfigurationCompilerPlugInSingleRowFunction;
import com.espertech.esper.common.client.util.EventUnderlyingType;
import com.espertech.esper.compiler.client.CompilerArguments;
import com.espertech.esper.compiler.client.EPCompileException;
import com.espertech.esper.compiler.client.EPCompilerProvider;
import io.leakwatch.rulepack.RuleDefinition;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.rulepack.RulePackException;
import java.util.ArrayList;
import java.util.List;

/**
 * A rule pack's EPL, compiled once. Compiling is the expensive part (seconds for a pack); deploying
 * the result into a new runtime takes milliseconds, so a rule test can give every case its own
 * runtime and a reload can compile off to the side before swapping.
 */
public final class EsperRules {
  /** One compiled module and the file it came from; {@code ruleId} is null for shared modules. */
  public record Module(String ruleId, String origin, EPCompiled compiled) {}

  private final List<Module> shared;
  private final List<Module> rules;
  private final RulePack pack;
  private StreamLineage lineage;

  private EsperRules(List<Module> shared, List<Module> rules, RulePack pack) {
    this.shared = shared;
    this.rules = rules;
    this.pack = pack;
  }

  /**
   * The configuration rules compile and run with: an external clock and the org profile as {@code
   * org}.
   */
  static Configuration configuration(OrgContext org) {
    Configuration config = new Configuration();
    config.getRuntime().getThreading().setInternalTimerEnabled(false);
    // One thread at a time drives a runtime (the org's detection worker), so Esper's statement
    // locks and the latches that order dispatch between threads are pure cost.
    config.getRuntime().getExecution().setDisableLocking(true);
    config.getRuntime().getThreading().setInsertIntoDispatchPreserveOrder(false);
    config.getRuntime().getThreading().setListenerDispatchPreserveOrder(false);
    config.getRuntime().getThreading().setNamedWindowConsumerDispatchPreserveOrder(false);
    // Streams a rule creates with insert-into carry arrays, not hash maps: cheaper to build and
    // read.
    config
        .getCommon()
        .getEventMeta()
        .setDefaultEventRepresentation(EventUnderlyingType.OBJECTARRAY);
    // What a statement throws is the pipeline's to account for (RuleFailures), not only Esper's
    // log.
    config.getRuntime().getExceptionHandling().addClass(RuleFailures.EsperHandler.class);
    config.getCommon().addVariable("org", OrgContext.class.getName(), org, false);
    for (String function : EventValues.FUNCTIONS) {
      ConfigurationCompilerPlugInSingleRowFunction plugIn =
          new ConfigurationCompilerPlugInSingleRowFunction();
      plugIn.setName(function);
      plugIn.setFunctionClassName(EventValues.class.getName());
      plugIn.setFunctionMethodName(function);
      // Thrown on to the statement, so the rule's failure is accounted for (RuleFailures); by
      // default Esper would log the call's arguments, which are event values, and go on with null.
      plugIn.setRethrowExceptions(true);
      config.getCompiler().addPlugInSingleRowFunction(plugIn);
    }
    return config;
  }

  /**
   * Compiles every module; all errors of all files are reported together, each with file and line.
   */
  public static EsperRules compile(RulePack pack) {
    Configuration config = configuration(null);
    List<Module> shared = new ArrayList<>();
    List<Module> rules = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    List<EPCompiled> path = new ArrayList<>();
    for (RuleDefinition.Source source : pack.shared()) {
      EPCompiled compiled = compile(source, config, path, errors);
      if (compiled != null) {
        path.add(compiled);
        shared.add(new Module(null, source.origin(), compiled));
      }
    }
    for (RuleDefinition rule : pack.rules()) {
      EPCompiled compiled = compile(rule.epl(), config, path, errors);
      if (compiled != null) {
        rules.add(new Module(rule.id(), rule.epl().origin(), compiled));
      }
    }
    if (!errors.isEmpty()) {
      throw new RulePackException(
          "EPL does not compile:\n" + String.join("\n", errors.stream().distinct().toList()));
    }
    return new EsperRules(List.copyOf(shared), List.copyOf(rules), pack);
  }

  /** Modules compiled earlier (a compiled-pack cache), in the order {@link #compile} made them. */
  public static EsperRules of(RulePack pack, List<Module> shared, List<Module> rules) {
    return new EsperRules(List.copyOf(shared), List.copyOf(rules), pack);
  }

  /** Compiled modules and the lineage worked out when they were compiled (a compiled pack file). */
  public static EsperRules of(
      RulePack pack, List<Module> shared, List<Module> rules, StreamLineage lineage) {
    EsperRules epl = of(pack, shared, rules);
    epl.lineage = lineage;
    return epl;
  }

  private static EPCompiled compile(
      RuleDefinition.Source source,
      Configuration config,
      List<EPCompiled> path,
      List<String> errors) {
    CompilerArguments args = new CompilerArguments(config);
    path.forEach(compiled -> args.getPath().add(compiled));
    try {
      return EPCompilerProvider.getCompiler().compile(source.text(), args);
    } catch (EPCompileException e) {
      errors.add(EsperDetector.describe(source.origin(), e));
      return null;
    }
  }

  public List<Module> shared() {
    return shared;
  }

  public List<Module> rules() {
    return rules;
  }

  /** Whether the lineage is already known (it came with a compiled pack file): no alert waits. */
  public synchronized boolean lineageKnown() {
    return lineage != null;
  }

  /** The streams each rule draws on, named on its alerts. */
  public synchronized StreamLineage lineage() {
    // A compiled pack file carries it (worked out once, when the pack was compiled). Otherwise it
    // is read when the first alert needs it: parsing every statement again takes 0.2-1.2 s, which a
    // one-event replay should not pay, but the first alert of a freshly compiled pack does.
    if (lineage == null) {
      lineage = StreamLineage.of(pack);
    }
    return lineage;
  }
}
