package org.consentrecorder.call;

import java.time.Instant;

/**
 * The core as the shell ({@link CallSession}) sees it: state, event and time in, next state and
 * commands out. {@link CallCore} in production; an interface so that a test can hand the shell a
 * core that throws, to prove that the shell fails closed, and so that the core does not depend on
 * the shell.
 */
@FunctionalInterface
interface CallLogic {
    CallCore.Next next(CallState state, CallEvent event, Instant now);
}
