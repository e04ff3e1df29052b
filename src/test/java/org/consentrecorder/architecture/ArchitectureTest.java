package org.consentrecorder.architecture;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.Test;

/**
 * The layering the README draws, kept true by the build. Features depend downwards only:
 *
 * <pre>
 *   app → admin → privacy → archive → call → store → config
 *                                          ↘ ari  → config        crypto, audio (no project imports)
 * </pre>
 *
 * {@code audio} (WAV, Ogg Opus, A-law) is a bottom layer like {@code crypto}; only the archive, privacy, admin and
 * app layers use it.
 *
 * The rules are built for a root package, so the same rules are also run against a planted cycle
 * in test sources ({@code architecture.planted}) to show that they can fail.
 */
class ArchitectureTest {
    private static final String ROOT = "org.consentrecorder";

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

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
                .layer("call").definedBy(root + ".call..")
                .layer("archive").definedBy(root + ".archive..")
                .layer("privacy").definedBy(root + ".privacy..")
                .layer("admin").definedBy(root + ".admin..")
                .layer("app").definedBy(root + ".app..")
                .whereLayer("crypto").mayNotAccessAnyLayer()
                .whereLayer("audio").mayNotAccessAnyLayer()
                .whereLayer("audio").mayOnlyBeAccessedByLayers("archive", "privacy", "admin", "app")
                .whereLayer("config").mayNotAccessAnyLayer()
                .whereLayer("ari").mayOnlyAccessLayers("config")
                .whereLayer("store").mayOnlyAccessLayers("config")
                .whereLayer("call").mayOnlyAccessLayers("config", "ari", "store")
                .whereLayer("archive").mayOnlyAccessLayers("config", "crypto", "audio", "ari", "store", "call")
                .whereLayer("privacy").mayOnlyAccessLayers("config", "crypto", "audio", "ari", "store", "call",
                        "archive")
                .whereLayer("admin").mayOnlyAccessLayers("config", "crypto", "audio", "ari", "store", "call",
                        "archive", "privacy")
                .whereLayer("app").mayNotBeAccessedByAnyLayer();
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
}
