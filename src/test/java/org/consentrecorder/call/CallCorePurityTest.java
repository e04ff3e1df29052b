package org.consentrecorder.call;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The call core is what its comments claim: a function of immutable values. Its classes (nested
 * ones included) reach no I/O, no Vert.x, no logging, no ARI client or database, and none of the
 * shell's classes; every field they declare is final.
 */
class CallCorePurityTest {
    private static final Class<?>[] CORE = {
        CallCore.class, ConsentDialogue.class, Decision.class, RecordingSetup.class, Handback.class, CallEnding.class,
        RecordingControl.class, RecordingTakeover.class, RecordingClock.class, PaymentTriggers.class,
        CallState.class, DialogueState.class, CallFacts.class, CallStateSnapshot.class,
        CallEvent.class, CallCommand.class, CommandKey.class, TimerKey.class, CallPhase.class, ControlStatus.class
    };
    private static final JavaClasses CALL = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.consentrecorder.call", "org.consentrecorder.ari");

    @Test
    void theCoreDoesNoIoAndDoesNotKnowTheShell() {
        noClasses().that(belongToAnyOf(CORE)).should().dependOnClassesThat()
                .resideInAnyPackage("io.vertx..", "java.io..", "java.net..", "java.nio.file..", "java.nio.channels..",
                        "java.sql..", "java.util.concurrent..", "org.slf4j..", "ch.loway..", "org.consentrecorder.store..")
                .check(CALL);
        noClasses().that(belongToAnyOf(CORE)).should().dependOnClassesThat()
                .belongToAnyOf(CallSession.class, ShellCommands.class, CallRegistry.class, CallRecovery.class,
                        CallRepository.class, CallStateCodec.class, AriEventTranslator.class,
                        org.consentrecorder.ari.AriClient.class, org.consentrecorder.ari.AriConnection.class)
                .check(CALL);
    }

    @Test
    void theCoreHoldsNoMutableState() {
        fields().that().areDeclaredInClassesThat(belongToAnyOf(CORE)).should().beFinal().check(CALL);
    }
}
