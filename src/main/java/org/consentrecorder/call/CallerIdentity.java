package org.consentrecorder.call;

import java.util.Locale;
import java.util.Optional;

/**
 * Normalizes a caller number into the subject key used by the consent registry. Numbers are
 * reduced to digits with a leading '+' when international; a national number gets the configured
 * country code. Withheld or empty numbers have no identity: such callers are asked every time.
 */
public final class CallerIdentity {
    private final String countryCode;

    /** @param countryCode digits without '+', e.g. "49"; empty when national numbers are kept as dialled */
    public CallerIdentity(String countryCode) {
        this.countryCode = countryCode == null ? "" : countryCode;
    }

    public Optional<String> normalize(String number) {
        if (number == null) {
            return Optional.empty();
        }
        String raw = number.trim();
        String lower = raw.toLowerCase(Locale.ROOT);
        if (raw.isEmpty() || lower.equals("anonymous") || lower.equals("unknown")
                || lower.equals("restricted") || lower.equals("private") || lower.equals("unavailable")) {
            return Optional.empty();
        }
        boolean plus = raw.startsWith("+");
        StringBuilder digits = new StringBuilder();
        for (char c : raw.toCharArray()) {
            if (c >= '0' && c <= '9') {
                digits.append(c);
            } else if (c != ' ' && c != '-' && c != '(' && c != ')' && c != '.' && c != '/' && c != '+') {
                // letters or SIP URIs: not a number we can match reliably
                return Optional.empty();
            }
        }
        if (digits.length() < 3 || digits.length() > 15) {
            return Optional.empty();
        }
        String d = digits.toString();
        if (plus) {
            return Optional.of("+" + d);
        }
        if (d.startsWith("00")) {
            return Optional.of("+" + d.substring(2));
        }
        if (d.startsWith("0") && !countryCode.isEmpty()) {
            return Optional.of("+" + countryCode + d.substring(1));
        }
        return Optional.of(d);
    }
}
