package io.cdrpipeline.app;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The app's parts (cli, web, lifecycle, spark, context) depend on each other one way only. */
class ArchitectureTest {
  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(new ImportOption.DoNotIncludeTests())
          .importPackages("io.cdrpipeline.app");

  @Test
  void subpackagesAreFreeOfCycles() {
    slices().matching("io.cdrpipeline.app.(*)..").should().beFreeOfCycles().check(CLASSES);
  }
}
