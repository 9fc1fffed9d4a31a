package io.leakwatch.engine;

import io.leakwatch.rulepack.RulePackLoader;
import java.nio.file.Path;

/**
 * The build step that compiles the default pack into the product ({@code app/pom.xml} runs it
 * before packaging), so {@code replay} or {@code run} with the built-in rules start without
 * compiling them.
 */
public final class PackPrecompiler {
  private PackPrecompiler() {}

  /** {@code args[0]}: the classes folder the compiled pack goes into. */
  public static void main(String[] args) throws Exception {
    Path file = PackCache.writeBuiltIn(RulePackLoader.defaultPack(), Path.of(args[0]));
    System.out.println("Compiled the default rule pack into " + file);
  }
}
