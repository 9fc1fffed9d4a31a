package io.leakwatch.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The layering of the product code (tests excluded): which module may use which, and no package
 * cycles. Every class shares the {@code io.leakwatch} root, so a class's module is the module its
 * class file comes from: {@code <module>/target/classes} in the build, {@code
 * leakwatch-<module>-<version>.jar} from a repository.
 */
@AnalyzeClasses(
    packages = "io.leakwatch",
    importOptions = {ImportOption.DoNotIncludeTests.class, ArchitectureTest.NoTestJars.class})
class ArchitectureTest {
  /** Leaves out the modules' test-jars (shared fixtures), which the test folders rule misses. */
  static final class NoTestJars implements ImportOption {
    private static final Pattern TEST_JAR = Pattern.compile(".*-tests\\.jar!/.*");

    @Override
    public boolean includes(Location location) {
      return !location.matches(TEST_JAR);
    }
  }

  private static final Pattern MODULE_LOCATION =
      Pattern.compile(
          "(?:/|leakwatch-)(connectors|engine|rules|simulator|app)(?:/target/classes/|-[^/]*\\.jar!)");

  @ArchTest
  static final ArchRule everyClassComesFromAKnownModule =
      classes().should(comeFromAModule()).because("the module rules below would not see it");

  @ArchTest
  static final ArchRule modulesDependInOneDirection =
      layeredArchitecture()
          .consideringOnlyDependenciesInLayers()
          .layer("connectors")
          .definedBy(inModule("connectors"))
          .layer("engine")
          .definedBy(inModule("engine"))
          .layer("simulator")
          .definedBy(inModule("simulator"))
          .layer("app")
          .definedBy(inModule("app"))
          .whereLayer("app")
          .mayNotBeAccessedByAnyLayer()
          .whereLayer("simulator")
          .mayOnlyBeAccessedByLayers("app")
          .whereLayer("engine")
          .mayOnlyBeAccessedByLayers("simulator", "app")
          .whereLayer("connectors")
          .mayOnlyBeAccessedByLayers("engine", "simulator", "app");

  @ArchTest
  static final ArchRule theEngineKnowsNothingOfTheSimulator =
      noClasses()
          .that(inModule("engine").or(inModule("connectors")))
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.leakwatch.sim..", "io.leakwatch.drill..", "io.leakwatch.cli..");

  /**
   * No package cycles. Configuration is two packages for this: {@code binding} (how a section is
   * read: the binder, {@code ConfigException}, ranges, auth kinds), which sinks and response
   * settings use for their own sections, and {@code config} (the whole file), which uses them.
   */
  @ArchTest
  static final ArchRule noPackageCycles =
      slices().matching("io.leakwatch.(*)..").should().beFreeOfCycles();

  static String moduleOf(JavaClass javaClass) {
    return javaClass
        .getSource()
        .map(source -> MODULE_LOCATION.matcher(source.getUri().toString()))
        .filter(Matcher::find)
        .map(m -> m.group(1))
        .orElse(null);
  }

  private static DescribedPredicate<JavaClass> inModule(String module) {
    return DescribedPredicate.describe(
        "in module " + module, javaClass -> module.equals(moduleOf(javaClass)));
  }

  private static com.tngtech.archunit.lang.ArchCondition<JavaClass> comeFromAModule() {
    return new com.tngtech.archunit.lang.ArchCondition<>("come from a known module") {
      @Override
      public void check(JavaClass item, com.tngtech.archunit.lang.ConditionEvents events) {
        if (moduleOf(item) == null) {
          events.add(
              com.tngtech.archunit.lang.SimpleConditionEvent.violated(
                  item,
                  item.getName()
                      + " comes from "
                      + item.getSource().map(s -> s.getUri().toString()).orElse("nowhere known")));
        }
      }
    };
  }
}
