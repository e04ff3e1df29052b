package org.consentrecorder.crypto;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names a key-encryption key: {@code name:version}, e.g. {@code kek-2026:3}. The text form is what the keyring,
 * the wrapped-key files and the wrapping AAD use.
 */
public record KekId(String name, int version) implements Comparable<KekId> {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern TEXT = Pattern.compile("(" + NAME.pattern() + "):([1-9][0-9]{0,8})");

    public KekId {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("KEK name must be 1-64 characters of A-Z a-z 0-9 . _ - starting with a"
                    + " letter or digit");
        }
        if (version < 1) {
            throw new IllegalArgumentException("KEK version must be a positive integer");
        }
    }

    /** Parses {@code name:version}; the error message does not echo the input (it might be a misplaced key). */
    public static KekId parse(String text) {
        return tryParse(text).orElseThrow(() -> new IllegalArgumentException(
                "KEK id must look like name:version, e.g. kek-2026:3"));
    }

    static Optional<KekId> tryParse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher m = TEXT.matcher(text);
        return m.matches() ? Optional.of(new KekId(m.group(1), Integer.parseInt(m.group(2)))) : Optional.empty();
    }

    @Override
    public int compareTo(KekId other) {
        int byVersion = Integer.compare(version, other.version);
        return byVersion != 0 ? byVersion : name.compareTo(other.name);
    }

    @Override
    public String toString() {
        return name + ":" + version;
    }
}
