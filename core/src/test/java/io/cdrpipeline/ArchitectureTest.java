package io.cdrpipeline;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Dependencies between core's packages point one way. {@code failure} (how a failure is told in one
 * line), {@code model}, {@code store} and {@code catalog} sit at the bottom; {@code model} also
 * ships inside the Spark job, so it stays free of the drivers and SDKs only the embedded product
 * carries.
 */
class ArchitectureTest {
  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(new ImportOption.DoNotIncludeTests())
          .importPackages("io.cdrpipeline");

  @Test
  void packagesAreFreeOfCycles() {
    slices().matching("io.cdrpipeline.(*)..").should().beFreeOfCycles().check(CLASSES);
  }

  @Test
  void failureDependsOnNoOtherPackage() {
    usesOnly("failure").check(CLASSES);
  }

  @Test
  void modelDependsOnNoOtherPackage() {
    usesOnly("model").check(CLASSES);
  }

  @Test
  void storeDependsOnlyOnModelAndFailure() {
    usesOnly("store", "model", "failure").check(CLASSES);
  }

  @Test
  void catalogDependsOnlyOnModelStoreAndFailure() {
    usesOnly("catalog", "model", "store", "failure").check(CLASSES);
  }

  @Test
  void modelNeedsNoDatabaseSdkOrScheduler() {
    noClasses()
        .that()
        .resideInAPackage("io.cdrpipeline.model..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.duckdb..", "java.sql..", "software.amazon..", "org.quartz..")
        .because("the Spark job ships model without DuckDB, JDBC drivers, the AWS SDK or Quartz")
        .check(CLASSES);
  }

  /**
   * Classes of {@code pkg} use, of the product's own packages, only {@code pkg} and {@code lower}.
   */
  private static ArchRule usesOnly(String pkg, String... lower) {
    String[] allowed =
        Arrays.stream(lower).map(p -> "io.cdrpipeline." + p + "..").toArray(String[]::new);
    return noClasses()
        .that()
        .resideInAPackage("io.cdrpipeline." + pkg + "..")
        .should()
        .dependOnClassesThat(
            resideInAPackage("io.cdrpipeline..")
                .and(not(resideInAPackage("io.cdrpipeline." + pkg + "..")))
                .and(not(resideInAnyPackage(allowed))))
        .as(
            "no classes in "
                + pkg
                + " should depend on product packages other than "
                + (lower.length == 0 ? "itself" : String.join(", ", lower)));
  }
}
