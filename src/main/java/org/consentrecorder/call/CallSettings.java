package org.consentrecorder.call;

import org.consentrecorder.recording.RecordingSettings;

/** Everything the per-call state machine needs to know about the deployment. */
public record CallSettings(IvrSettings ivr, RecordingSettings recording) {
}
