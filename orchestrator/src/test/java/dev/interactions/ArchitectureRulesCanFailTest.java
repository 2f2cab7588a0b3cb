package dev.interactions;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import dev.interactions.archfixtures.ConcurrentRegistries;
import dev.interactions.archfixtures.EnumWithSwitch;
import dev.interactions.archfixtures.MutableGlobal;
import dev.interactions.archfixtures.StaticListeners;
import dev.interactions.archfixtures.StaticRegistry;
import dev.interactions.archfixtures.VagueNames;
import dev.interactions.archfixtures.protocol.PekkoInProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each rule of {@link ArchitectureTest} fails on a fixture that breaks it, so a green architecture test means something.
 * The fixtures live in test code, which {@link ArchitectureTest} does not import.
 */
class ArchitectureRulesCanFailTest {

  private static void assertViolatedBy(ArchRule rule, Class<?> fixture) {
    EvaluationResult result = rule.evaluate(new ClassFileImporter().importClasses(fixture));

    assertTrue(result.hasViolation(), () -> fixture.getName() + " should break: " + rule.getDescription());
    assertTrue(
        result.getFailureReport().getDetails().stream().anyMatch(detail -> detail.contains(fixture.getName())),
        () -> "the violation should name " + fixture.getName() + ": " + result.getFailureReport());
  }

  @Test
  void staticMapBreaksNoStaticCollections() {
    assertViolatedBy(ArchitectureTest.NO_STATIC_COLLECTIONS, StaticRegistry.class);
  }

  @Test
  void staticListBreaksNoStaticCollections() {
    assertViolatedBy(ArchitectureTest.NO_STATIC_COLLECTIONS, StaticListeners.class);
  }

  @Test
  void staticNonFinalFieldBreaksNoMutableStaticFields() {
    assertViolatedBy(ArchitectureTest.NO_MUTABLE_STATIC_FIELDS, MutableGlobal.class);
  }

  @Test
  void enumConstantsAndSwitchMapsPassNoMutableStaticFields() throws ClassNotFoundException {
    JavaClasses enumAndSwitch =
        new ClassFileImporter()
            .importClasses(
                EnumWithSwitch.class,
                EnumWithSwitch.Phase.class,
                EnumWithSwitch.Phase.PENDING.getClass(),
                EnumWithSwitch.Phase.CLOSED.getClass(),
                // Holds the synthetic $SwitchMap$ field javac generates for the switch over Phase.
                Class.forName(EnumWithSwitch.class.getName() + "$1"));

    // Every static field here is an enum constant or synthetic, so the rule selects none: allow that.
    assertFalse(ArchitectureTest.NO_MUTABLE_STATIC_FIELDS.allowEmptyShould(true).evaluate(enumAndSwitch).hasViolation());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      classes = {
        ConcurrentRegistries.WithConcurrentHashMap.class,
        ConcurrentRegistries.WithConcurrentMap.class,
        ConcurrentRegistries.WithConcurrentSkipListMap.class,
        ConcurrentRegistries.WithCopyOnWriteArrayList.class,
        ConcurrentRegistries.WithCopyOnWriteArraySet.class
      })
  void concurrentCollectionBreaksNoSharedConcurrentCollections(Class<?> fixture) {
    assertViolatedBy(ArchitectureTest.NO_SHARED_CONCURRENT_COLLECTIONS, fixture);
  }

  @Test
  void pekkoTypeInAProtocolPackageBreaksProtocolIsPekkoFree() {
    assertViolatedBy(ArchitectureTest.PROTOCOL_IS_PEKKO_FREE, PekkoInProtocol.class);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      classes = {
        VagueNames.SessionManager.class,
        VagueNames.JsonHelper.class,
        VagueNames.IdUtil.class,
        VagueNames.IdUtils.class,
        VagueNames.DirectoryImpl.class
      })
  void vagueSuffixBreaksNoVagueClassNames(Class<?> fixture) {
    assertViolatedBy(ArchitectureTest.NO_VAGUE_CLASS_NAMES, fixture);
  }
}
