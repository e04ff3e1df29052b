package org.consentrecorder.config;

/** One invalid or missing setting: the key as the operator writes it, and what is wrong with it. */
public record ConfigProblem(String key, String problem) {
    @Override
    public String toString() {
        return key + ": " + problem;
    }
}
