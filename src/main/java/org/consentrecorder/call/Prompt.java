package org.consentrecorder.call;

/** A sound the caller hears and the words it says; the words go into the consent evidence. */
public record Prompt(String uri, String text) {
}
