package org.consentrecorder.ari;

import ch.loway.oss.ari4java.AriVersion;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Picks the ari4java binding for the ARI version a server reports. ari4java's own detection
 * needs an exact match and throws for anything newer (Asterisk 23 reports 11.0.0); here a newer
 * server gets the newest known binding and a warning, and unknown fields are decoded leniently.
 */
public final class AriBindingSelector {
    /** Asterisk 20 is the oldest release we support. */
    public static final String OLDEST_SUPPORTED = "8.0.0";

    public record Choice(AriVersion binding, String reported, Optional<String> warning) {
    }

    private AriBindingSelector() {
    }

    /** The newest binding ari4java knows (Asterisk 22's ARI 10.0.0 with ari4java 0.18). */
    public static AriVersion newest() {
        return Arrays.stream(AriVersion.values())
                .filter(v -> v.version() != null)
                .max(Comparator.comparing(v -> parse(v.version()), AriBindingSelector::compare))
                .orElseThrow();
    }

    public static Choice select(String reported) {
        int[] wanted = parse(reported);
        if (compare(wanted, parse(OLDEST_SUPPORTED)) < 0) {
            throw new IllegalStateException("Asterisk reports ARI " + reported + "; ARI " + OLDEST_SUPPORTED
                    + " (Asterisk 20) or newer is required");
        }
        List<AriVersion> known = Arrays.stream(AriVersion.values())
                .filter(v -> v.version() != null)
                .sorted(Comparator.comparing(v -> parse(v.version()), AriBindingSelector::compare))
                .toList();
        AriVersion newest = known.get(known.size() - 1);
        AriVersion best = null;
        for (AriVersion v : known) {
            int c = compare(parse(v.version()), wanted);
            if (c == 0) {
                return new Choice(v, reported, Optional.empty());
            }
            if (c < 0) {
                best = v;
            }
        }
        if (best == newest) {
            return new Choice(newest, reported, Optional.of("Asterisk reports ARI " + reported
                    + ", newer than ari4java's newest binding " + newest.version() + "; using " + newest.version()
                    + " (fields and events it does not know are passed over leniently)"));
        }
        return new Choice(best, reported, Optional.of("Asterisk reports ARI " + reported
                + ", which ari4java has no binding for; using the closest older binding " + best.version()));
    }

    static int[] parse(String version) {
        if (version == null) {
            throw new IllegalArgumentException("no ARI version reported");
        }
        String[] parts = version.trim().split("\\.");
        int[] out = new int[3];
        try {
            for (int i = 0; i < Math.min(3, parts.length); i++) {
                out[i] = Integer.parseInt(parts[i]);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("ARI version '" + version + "' is not of the form major.minor.patch");
        }
        return out;
    }

    static int compare(int[] a, int[] b) {
        for (int i = 0; i < 3; i++) {
            if (a[i] != b[i]) {
                return Integer.compare(a[i], b[i]);
            }
        }
        return 0;
    }
}
