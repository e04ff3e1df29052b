package org.consentrecorder.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowIterator;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlResult;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.consentrecorder.store.Tx;
import org.junit.jupiter.api.Test;

/**
 * The layering the README draws, kept true by the build. Features depend downwards only:
 *
 * <pre>
 *   app → observability → admin → privacy → archive → call → store → config
 *                                                          ↘ ari  → config        crypto, audio (no project imports)
 *   app → simulator (the demo's simulated Asterisk: no project imports, used by app only)
 *   app → keystore → store, crypto, config (the shared subject key store in PostgreSQL; everyone else sees only
 *                                            crypto.SubjectKeyStore)
 * </pre>
 *
 * {@code audio} (WAV, Ogg Opus, A-law) is a bottom layer like {@code crypto}; only the archive, privacy,
 * admin and app layers use it.
 *
 * Observability sits just under app: it implements each feature's small metrics interface
 * ({@code call.CallMetrics}, ...) over Micrometer, so no feature depends on it or on Micrometer.
 *
 * And SQL lives in repositories: only {@code store}, classes named {@code *Repository} and the
 * {@code app} wiring touch the SQL client; nothing else sees a row, a tuple or a connection, and no
 * repository hands one out.
 *
 * <p>The rules are built for a root package, so the same rules are also run against planted
 * mistakes in test sources ({@code architecture.planted}) to show that each of them can fail.
 */
class ArchitectureTest {
    private static final String ROOT = "org.consentrecorder";

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    /**
     * Classes of {@code call} and {@code archive} that still run their own SQL or expose their pool
     * while their owners move it into repositories (issue 11, item 1). Remove each entry
     * when its class is fixed: {@link #pendingExceptionsAreStillNeeded} fails once one is not needed.
     */
    private static final Set<String> PENDING_CLASSES = Set.of();
    private static final Set<String> PENDING_METHODS = Set.of();

    static ArchRule noCycles(String root) {
        return slices().matching(root + ".(*)..").should().beFreeOfCycles();
    }

    /** Who may use whom. A layer not named in another's list is out of its reach. */
    static ArchRule layers(String root) {
        return layeredArchitecture().consideringOnlyDependenciesInLayers()
                .withOptionalLayers(true)
                .layer("crypto").definedBy(root + ".crypto..")
                .layer("audio").definedBy(root + ".audio..")
                .layer("config").definedBy(root + ".config..")
                .layer("ari").definedBy(root + ".ari..")
                .layer("store").definedBy(root + ".store..")
                .layer("keystore").definedBy(root + ".keystore..")
                .layer("call").definedBy(root + ".call..")
                .layer("archive").definedBy(root + ".archive..")
                .layer("privacy").definedBy(root + ".privacy..")
                .layer("admin").definedBy(root + ".admin..")
                .layer("observability").definedBy(root + ".observability..")
                .layer("app").definedBy(root + ".app..")
                .layer("simulator").definedBy(root + ".simulator..")
                .whereLayer("crypto").mayNotAccessAnyLayer()
                .whereLayer("audio").mayNotAccessAnyLayer()
                .whereLayer("audio").mayOnlyBeAccessedByLayers("archive", "privacy", "admin", "app")
                .whereLayer("config").mayNotAccessAnyLayer()
                .whereLayer("ari").mayOnlyAccessLayers("config")
                .whereLayer("store").mayOnlyAccessLayers("config")
                .whereLayer("keystore").mayOnlyAccessLayers("config", "crypto", "store")
                .whereLayer("keystore").mayOnlyBeAccessedByLayers("app")
                .whereLayer("call").mayOnlyAccessLayers("config", "ari", "store")
                .whereLayer("archive").mayOnlyAccessLayers("config", "crypto", "audio", "ari", "store", "call")
                .whereLayer("privacy").mayOnlyAccessLayers("config", "crypto", "audio", "ari", "store", "call", "archive")
                .whereLayer("admin").mayOnlyAccessLayers("config", "crypto", "audio", "ari", "store", "call", "archive",
                        "privacy")
                .whereLayer("observability").mayOnlyAccessLayers("config", "ari", "store", "call", "archive", "privacy",
                        "admin")
                .whereLayer("app").mayNotBeAccessedByAnyLayer()
                .whereLayer("simulator").mayNotAccessAnyLayer()
                .whereLayer("simulator").mayOnlyBeAccessedByLayers("app");
    }

    // ---- SQL only in repositories -----------------------------------------------------------------

    /** A repository: a class whose (outermost) simple name ends in "Repository", with its nested classes. */
    static boolean isRepository(JavaClass c) {
        String outermost = c.getName().substring(c.getPackageName().length() + 1).split("\\$", 2)[0];
        return outermost.endsWith("Repository");
    }

    /** Where SQL may be: {@code store}, the repositories and the {@code app} wiring. */
    static DescribedPredicate<JavaClass> outsideRepositories(String root, Set<String> exceptions) {
        return DescribedPredicate.describe("are neither in " + root + ".store, " + root + ".app nor a *Repository",
                c -> !c.getPackageName().startsWith(root + ".store") && !c.getPackageName().startsWith(root + ".app")
                        && !isRepository(c) && !exceptions.contains(c.getName().split("\\$", 2)[0]));
    }

    /** Nothing outside the repositories sees a row, a result set or query parameters. */
    static ArchRule noRowsOutsideRepositories(String root, Set<String> exceptions) {
        return noClasses().that(outsideRepositories(root, exceptions))
                .should().dependOnClassesThat().belongToAnyOf(Row.class, RowSet.class, RowIterator.class, Tuple.class,
                        SqlResult.class)
                .because("repositories return records or domain types, never Vert.x rows (issue 11)");
    }

    /** Nothing outside the repositories calls the SQL client: no query, prepared query, transaction or connection. */
    static ArchRule noSqlCallsOutsideRepositories(String root, Set<String> exceptions) {
        DescribedPredicate<JavaMethodCall> sqlClient = DescribedPredicate.describe(
                "a method of the SQL client (io.vertx.sqlclient, io.vertx.pgclient)",
                call -> call.getTargetOwner().getPackageName().startsWith("io.vertx.sqlclient")
                        || call.getTargetOwner().getPackageName().startsWith("io.vertx.pgclient"));
        return noClasses().that(outsideRepositories(root, exceptions))
                .should().callMethodWhere(sqlClient)
                .because("SQL lives in repositories beside its feature (issue 11)");
    }

    /** A {@link Tx} is passed along by services and routes; only repositories reach into it. */
    static ArchRule transactionsStayOpaque(String root, Set<String> exceptions) {
        return noClasses().that(outsideRepositories(root, exceptions))
                .should().callMethod(Tx.class, "connection")
                .orShould().callMethod(Tx.class, "on", io.vertx.sqlclient.SqlConnection.class)
                .because("a transaction's connection is for the repositories taking part in it");
    }

    /** No public method of a repository returns a SQL client type, not even inside a Future or a List. */
    static ArchRule repositoriesHandOutNoSqlTypes(String root, Set<String> exceptions) {
        ArchCondition<JavaMethod> returnNoSqlType = new ArchCondition<>("return no type of io.vertx.sqlclient or "
                + "io.vertx.pgclient (Row, RowSet, Pool, SqlConnection ...)") {
            @Override
            public void check(JavaMethod method, ConditionEvents events) {
                Set<String> leaked = method.getReturnType().getAllInvolvedRawTypes().stream()
                        .filter(t -> t.getPackageName().startsWith("io.vertx.sqlclient")
                                || t.getPackageName().startsWith("io.vertx.pgclient"))
                        .map(JavaClass::getSimpleName)
                        .collect(Collectors.toCollection(TreeSet::new));
                boolean violated = !leaked.isEmpty() && !exceptions.contains(method.getFullName());
                events.add(new SimpleConditionEvent(method, !violated, method.getFullName() + " returns "
                        + method.getReturnType().getName() + " (" + String.join(", ", leaked) + ")"));
            }
        };
        return methods().that().arePublic()
                .and().areDeclaredInClassesThat(DescribedPredicate.describe("are repositories",
                        c -> c.getPackageName().startsWith(root) && isRepository(c)))
                .should(returnNoSqlType)
                .because("repositories return records or domain types and expose no pool (issue 11)");
    }

    static List<ArchRule> sqlRules(String root, Set<String> classExceptions, Set<String> methodExceptions) {
        return List.of(noRowsOutsideRepositories(root, classExceptions),
                noSqlCallsOutsideRepositories(root, classExceptions),
                transactionsStayOpaque(root, classExceptions),
                repositoriesHandOutNoSqlTypes(root, methodExceptions));
    }

    @Test
    void featurePackagesHaveNoCycle() {
        noCycles(ROOT).check(MAIN);
    }

    @Test
    void dependenciesPointDownTheLayers() {
        layers(ROOT).check(MAIN);
    }

    @Test
    void sqlStaysInRepositories() {
        sqlRules(ROOT, PENDING_CLASSES, PENDING_METHODS).forEach(rule -> rule.check(MAIN));
    }

    @Test
    void pendingExceptionsAreStillNeeded() {
        for (String pending : PENDING_CLASSES) {
            boolean needed = sqlRules(ROOT, Set.of(), Set.of()).stream()
                    .anyMatch(rule -> rule.evaluate(MAIN).getFailureReport().getDetails().stream()
                            .anyMatch(line -> line.contains("<" + pending + ".") || line.contains("<" + pending + ">")
                                    || line.contains("<" + pending + "$")));
            assertTrue(needed, pending + " keeps to the SQL rules now: remove it from PENDING_CLASSES");
        }
        for (String pending : PENDING_METHODS) {
            boolean needed = repositoriesHandOutNoSqlTypes(ROOT, Set.of()).evaluate(MAIN).getFailureReport()
                    .getDetails().stream().anyMatch(line -> line.contains(pending));
            assertTrue(needed, pending + " keeps to the SQL rules now: remove it from PENDING_METHODS");
        }
    }

    @Test
    void theRulesCatchAPlantedCycleAndAForbiddenEdge() {
        String planted = ROOT + ".architecture.planted";
        JavaClasses classes = new ClassFileImporter().importPackages(planted);
        EvaluationResult cycle = noCycles(planted).evaluate(classes);
        assertTrue(cycle.hasViolation(), "the cycle rule missed planted.ari <-> planted.call");
        assertTrue(cycle.getFailureReport().toString().contains("PlantedAriClient"), cycle.getFailureReport().toString());
        EvaluationResult edge = layers(planted).evaluate(classes);
        assertTrue(edge.hasViolation(), "the layer rule missed ari -> call");
        assertTrue(edge.getFailureReport().toString().contains("PlantedAriClient"), edge.getFailureReport().toString());
    }

    @Test
    void theSqlRulesCatchPlantedSqlOutsideRepositories() {
        String planted = ROOT + ".architecture.planted";
        JavaClasses classes = new ClassFileImporter().importPackages(planted);
        assertCaught(noRowsOutsideRepositories(planted, Set.of()), classes, "PlantedCallRoutes", "Row");
        assertCaught(noSqlCallsOutsideRepositories(planted, Set.of()), classes, "PlantedCallRoutes", "preparedQuery");
        assertCaught(transactionsStayOpaque(planted, Set.of()), classes, "PlantedConsentService", "connection()");
        assertCaught(repositoriesHandOutNoSqlTypes(planted, Set.of()), classes, "PlantedCallRepository.rows()",
                "RowSet");
        assertCaught(repositoriesHandOutNoSqlTypes(planted, Set.of()), classes, "PlantedCallRepository.pool()", "Pool");
        // and what the rules allow is not reported: the repository's own queries, the store, the app wiring
        for (ArchRule rule : sqlRules(planted, Set.of(), Set.of())) {
            String report = rule.evaluate(classes).getFailureReport().toString();
            for (String allowed : List.of("PlantedCallRepository.find", "PlantedStoreHelper", "PlantedWiring")) {
                assertTrue(!report.contains(allowed), allowed + " reported by: " + report);
            }
        }
    }

    private static void assertCaught(ArchRule rule, JavaClasses classes, String where, String what) {
        EvaluationResult result = rule.evaluate(classes);
        assertTrue(result.hasViolation(), "the rule missed " + where + ": " + rule.getDescription());
        List<String> lines = result.getFailureReport().getDetails().stream()
                .filter(line -> line.contains(where) && line.contains(what)).toList();
        assertEquals(false, lines.isEmpty(), where + " and " + what + " not in: " + result.getFailureReport());
    }
}
