package dev.sessionops.claude.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * The package rules of the main code, so the layering stays what docs/architecture.md says: no cycles between
 * packages; the resource types depend on nothing of ours; the plugin and local mode are clients that the operator
 * never reaches into; the operator's own packages do not lean on the plugin's.
 */
class PackageRulesTest {
    private static final String ROOT = "dev.sessionops.claude";
    private static JavaClasses main;

    @BeforeAll
    static void importMain() {
        main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(ROOT);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(main);
    }

    @Test
    void theResourceTypesDependOnNothingOfOurs() {
        noClasses().that().resideInAPackage(ROOT + ".api..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".cli..", ROOT + ".events..", ROOT + ".history..",
                        ROOT + ".http..", ROOT + ".kube..", ROOT + ".kubectl..", ROOT + ".local..", ROOT + ".message..",
                        ROOT + ".observability..", ROOT + ".runner..", ROOT + ".session..")
                .check(main);
    }

    @Test
    void theOperatorDoesNotReachIntoThePluginOrLocalMode() {
        noClasses().that().resideInAnyPackage(ROOT + ".message..", ROOT + ".session..", ROOT + ".history..",
                ROOT + ".events..", ROOT + ".http..", ROOT + ".kube..", ROOT + ".observability..", ROOT + ".cli..",
                ROOT + ".runner..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".kubectl..", ROOT + ".local..")
                .check(main);
    }

    @Test
    void thePluginUsesOnlyTheContract() {
        // the resource types, the runner's pod layout and the read API's paths: what a separate artifact would ship
        noClasses().that().resideInAPackage(ROOT + ".kubectl..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".message..", ROOT + ".session..",
                        ROOT + ".history..", ROOT + ".events..", ROOT + ".observability..", ROOT + ".kube..", ROOT + ".cli..",
                        ROOT + ".local..")
                .check(main);
    }

    @Test
    void localModeDoesNotJudgeWithTheOperatorsCode() {
        // its kubelet stands in for the Job controller: reading Jobs with the reconcilers' own code would make the
        // stand-in agree with the system under test by construction
        noClasses().that().resideInAPackage(ROOT + ".local..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".message..", ROOT + ".session..",
                        ROOT + ".history..", ROOT + ".events..", ROOT + ".observability..", ROOT + ".kubectl..")
                .check(main);
    }
}
