package org.consentrecorder.audio;

/**
 * The result of storing one recording: the source's evidence, how it was encoded, and how many bytes were stored.
 *
 * @param source      duration, format and SHA-256 of the WAV file as Asterisk wrote it
 * @param parameters  what the stored bytes are (keep with the recording)
 * @param storedBytes bytes written to the output stream
 */
public record EncodedRecording(SourceAudio source, EncodingParameters parameters, long storedBytes) {
}
