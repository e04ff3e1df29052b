package org.consentrecorder.audio;

/**
 * The result of storing one recording: the source's evidence, how it was encoded, and how many bytes were stored.
 *
 * @param source      duration, format and SHA-256 of the WAV file as Asterisk wrote it; for a stereo recording the
 *                    stereo format and length (what verification compares), the first leg's SHA-256 and both legs'
 *                    bytes (each leg's evidence is in {@code stereo})
 * @param parameters  what the stored bytes are (keep with the recording)
 * @param storedBytes bytes written to the output stream
 * @param stereo      both legs' evidence and their alignment; null for a mono recording
 */
public record EncodedRecording(SourceAudio source, EncodingParameters parameters, long storedBytes,
                               StereoSource stereo) {

    public EncodedRecording(SourceAudio source, EncodingParameters parameters, long storedBytes) {
        this(source, parameters, storedBytes, null);
    }
}
