package dev.sessionops.claude.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import java.net.URISyntaxException;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;

import dev.sessionops.claude.message.ClaudeMessageReconciler;

/**
 * The package rules inside the operator module, so the layering stays what docs/architecture.md says. Between modules
 * the build decides: api depends on nothing of ours, kubectl-claude and local only on api, and the operator on
 * neither of them (Maven rejects cycles and an undeclared dependency does not compile).
 */
class PackageRulesTest {
    private static final String ROOT = "dev.sessionops.claude";
    private static JavaClasses operator;

    @BeforeAll
    static void importTheOperatorsClasses() throws URISyntaxException {
        // the module's own main classes only (target/classes), not the api module's or the test classpath's
        Path classes = Path.of(ClaudeMessageReconciler.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        operator = new ClassFileImporter().importPath(classes);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(operator);
    }

    @Test
    void theHelpersDependOnNoFeature() {
        // SDK helpers (kube), the CLI's contract (cli), metrics (observability), Redis scripts (redis) and a session's
        // queue order (queue) are used by the features, never the other way round
        noClasses().that().resideInAnyPackage(ROOT + ".kube..", ROOT + ".cli..", ROOT + ".observability..",
                        ROOT + ".redis..", ROOT + ".queue..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".message..", ROOT + ".session..",
                        ROOT + ".http..", ROOT + ".events..", ROOT + ".history..")
                .check(operator);
    }

    @Test
    void theReadApiDoesNotRunMessages() {
        // the read API reads status, history and events; starting or recording runs is the reconcilers' alone
        noClasses().that().resideInAPackage(ROOT + ".http..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".message..", ROOT + ".cli..")
                .check(operator);
    }

    @Test
    void theGatewayDoesNotRunMessages() {
        // the credential gateway verifies tokens and forwards; planning and recording runs is the reconcilers' (who
        // ask it for tokens and for what it recorded), never the other way round
        noClasses().that().resideInAPackage(ROOT + ".gateway..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".message..", ROOT + ".session..",
                        ROOT + ".http..", ROOT + ".events..", ROOT + ".history..", ROOT + ".cli..")
                .check(operator);
    }

    @Test
    void theStoresDoNotKnowTheReconcilers() {
        noClasses().that().resideInAnyPackage(ROOT + ".history..", ROOT + ".events..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".message..", ROOT + ".session..",
                        ROOT + ".http..")
                .check(operator);
    }
}
