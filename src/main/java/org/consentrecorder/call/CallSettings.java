package org.consentrecorder.call;


/** Everything the per-call state machine needs to know about the deployment. */
public record CallSettings(IvrSettings ivr, RecordingSettings recording) {
}
