package dev.interactions.transport;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.ArchTests;
import dev.interactions.ArchitectureTest;

/** The house rules of {@link ArchitectureTest}, applied to the server's main code as well as the core it runs. */
@AnalyzeClasses(
    packages = "dev.interactions",
    importOptions = {ImportOption.DoNotIncludeTests.class, ServerArchitectureTest.DoNotIncludeTestJars.class})
class ServerArchitectureTest {

  @ArchTest static final ArchTests HOUSE_RULES = ArchTests.in(ArchitectureTest.class);

  /** The rules come from the orchestrator's test jar, whose fixtures break them on purpose. */
  static final class DoNotIncludeTestJars implements ImportOption {
    @Override
    public boolean includes(Location location) {
      return !location.contains("-tests.jar");
    }
  }
}
