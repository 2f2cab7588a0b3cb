package dev.interactions;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noFields;

import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * The house rule in code: no global mutable maps, sets, caches or registries of sessions, connections, interactions or
 * listeners, static or singleton. The actor tree is the registry; anything kept beside it leaks and lies.
 *
 * <p>Only main classes are analysed. The rules are public so that {@code ArchitectureRulesCanFailTest} can show each of
 * them failing on a fixture that breaks it.
 */
@AnalyzeClasses(packages = "dev.interactions", importOptions = ImportOption.DoNotIncludeTests.class)
public class ArchitectureTest {

  @ArchTest
  public static final ArchRule NO_STATIC_COLLECTIONS =
      noFields()
          .that()
          .areStatic()
          .should()
          .haveRawType(assignableTo(Map.class).or(assignableTo(Collection.class)))
          .because(
              "a static map or collection is a global registry: it outlives the actors whose ids it holds and is"
                  + " shared by every actor system in the JVM; keep such state inside the actor that owns it");

  @ArchTest
  public static final ArchRule NO_MUTABLE_STATIC_FIELDS =
      fields()
          .that()
          .areStatic()
          .and()
          .doNotHaveModifier(JavaModifier.SYNTHETIC)
          .and()
          .doNotHaveModifier(JavaModifier.ENUM)
          .should()
          .beFinal()
          .because(
              "a static non-final field is mutable global state, shared across actor systems and unsafe across"
                  + " threads; state belongs to an actor, configuration to a settings record");

  @ArchTest
  public static final ArchRule NO_SHARED_CONCURRENT_COLLECTIONS =
      noClasses()
          .should()
          .dependOnClassesThat()
          .belongToAnyOf(
              ConcurrentHashMap.class,
              ConcurrentMap.class,
              ConcurrentSkipListMap.class,
              CopyOnWriteArrayList.class,
              CopyOnWriteArraySet.class)
          .because(
              "shared concurrent collections are how global registries get built; an actor's state is only"
                  + " touched by the actor itself and needs none");

  @ArchTest
  public static final ArchRule PROTOCOL_IS_PEKKO_FREE =
      noClasses()
          .that()
          // Any protocol package under dev.interactions, so that a fixture can show the rule failing.
          .resideInAPackage("dev.interactions..protocol..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("org.apache.pekko..")
          .because("wire types are shared with clients that do not run Pekko");

  @ArchTest
  public static final ArchRule NO_VAGUE_CLASS_NAMES =
      noClasses()
          .should()
          .haveSimpleNameEndingWith("Manager")
          .orShould()
          .haveSimpleNameEndingWith("Helper")
          .orShould()
          .haveSimpleNameEndingWith("Util")
          .orShould()
          .haveSimpleNameEndingWith("Utils")
          .orShould()
          .haveSimpleNameEndingWith("Impl")
          .because(
              "such names say nothing about what a class does and attract unrelated code, global registries"
                  + " first; name the thing (Sessions, SessionDirectory, Census)");
}
