package io.lb;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * The packages depend on each other in one direction, as CONTRIBUTING.md draws them: config at the bottom; the
 * balancer, routing, the client and timers on it; health on those; the proxy on all of them; and at the top the
 * edges that nothing below may know: metrics, the access log and tracing (exchange listeners), admin, server,
 * discovery and the demo.
 */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.lb");
    }

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("io.lb.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void configurationDependsOnNoOtherPackage() {
        noClasses().that().resideInAPackage("io.lb.config..").should().dependOnClassesThat()
                .resideInAnyPackage("io.lb.accesslog..", "io.lb.admin..", "io.lb.balancer..", "io.lb.client..",
                        "io.lb.demo..",
                        "io.lb.discovery..", "io.lb.health..", "io.lb.metrics..", "io.lb.proxy..",
                        "io.lb.routing..", "io.lb.server..", "io.lb.timer..", "io.lb.tracing..")
                .check(classes);
    }

    @Test
    void theBuildingBlocksKnowOnlyTheConfiguration() {
        for (String block : new String[] { "balancer", "routing", "client", "timer" }) {
            noClasses().that().resideInAPackage("io.lb." + block + "..").should().dependOnClassesThat()
                    .resideInAnyPackage(others(block, "config")).check(classes);
        }
    }

    @Test
    void healthKnowsBackendsAndClientsButNotTheProxy() {
        noClasses().that().resideInAPackage("io.lb.health..").should().dependOnClassesThat()
                .resideInAnyPackage("io.lb.accesslog..", "io.lb.admin..", "io.lb.demo..", "io.lb.discovery..",
                        "io.lb.metrics..", "io.lb.proxy..", "io.lb.routing..", "io.lb.server..", "io.lb.tracing..")
                .check(classes);
    }

    @Test
    void theProxyKnowsNoneOfTheEdges() {
        noClasses().that().resideInAPackage("io.lb.proxy..").should().dependOnClassesThat()
                .resideInAnyPackage("io.lb.accesslog..", "io.lb.admin..", "io.lb.demo..", "io.lb.discovery..",
                        "io.lb.metrics..", "io.lb.server..", "io.lb.tracing..")
                .check(classes);
    }

    /**
     * Tracing is one more exchange listener: it reads exchanges and their backends, and nothing knows it (the proxy
     * hears of it only as an {@code ExchangeListener}).
     */
    @Test
    void tracingIsKnownToNoOtherPackage() {
        noClasses().that().resideOutsideOfPackage("io.lb.tracing..").should().dependOnClassesThat()
                .resideInAPackage("io.lb.tracing..").check(classes);
        noClasses().that().resideInAPackage("io.lb.tracing..").should().dependOnClassesThat()
                .resideInAnyPackage("io.lb.accesslog..", "io.lb.admin..", "io.lb.demo..", "io.lb.discovery..",
                        "io.lb.health..", "io.lb.metrics..", "io.lb.server..", "io.lb.client..", "io.lb.timer..")
                .check(classes);
    }

    /** Each use of Vert.x internals sits in one class that names the missing public API and has its own test. */
    @Test
    void vertxInternalsAreUsedByTheirTwoAdaptersOnly() {
        noClasses().that().doNotHaveFullyQualifiedName("io.lb.client.VertxInternals")
                .and().doNotHaveFullyQualifiedName("io.lb.server.WatchedHttpServer")
                .should().dependOnClassesThat().resideInAnyPackage("io.vertx..impl..")
                .check(classes);
    }

    @Test
    void theDevModeDemoIsKnownToNoOtherPackage() {
        noClasses().that().resideOutsideOfPackage("io.lb.demo..").should().dependOnClassesThat()
                .resideInAPackage("io.lb.demo..").check(classes);
    }

    /** Every io.lb package but {@code self} and {@code allowed}. */
    private static String[] others(String self, String... allowed) {
        java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of("accesslog", "admin", "balancer",
                "client", "config", "demo", "discovery", "health", "metrics", "proxy", "routing", "server", "timer",
                "tracing"));
        all.remove(self);
        all.removeAll(java.util.List.of(allowed));
        return all.stream().map(name -> "io.lb." + name + "..").toArray(String[]::new);
    }
}
