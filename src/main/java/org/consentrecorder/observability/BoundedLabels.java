package org.consentrecorder.observability;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Meters keyed by a label value that comes from outside a fixed enum (an ARI event type, an ARI
 * operation, a retention count's kind). Values must look like a word, and there are at most
 * {@code limit} of them: anything else is counted under {@code other}, so a surprise can never
 * turn into an unbounded number of series, or put a number into a label.
 */
final class BoundedLabels<M> {
    static final String OTHER = "other";
    /** Starts with a letter; letters, single digits ("2xx"), underscores, dashes, dots, slashes, spaces, braces. */
    private static final Pattern WORD = Pattern.compile("[A-Za-z_{/][A-Za-z0-9_./{} -]{0,119}");
    private static final Pattern NUMBER = Pattern.compile("\\d{2,}");

    private final int limit;
    private final Function<String, M> create;
    private final Map<String, M> meters = new ConcurrentHashMap<>();

    BoundedLabels(int limit, Function<String, M> create) {
        this.limit = limit;
        this.create = create;
    }

    M get(String value) {
        String v = value != null && WORD.matcher(value).matches() && !NUMBER.matcher(value).find() ? value : OTHER;
        M m = meters.get(v);
        if (m != null) {
            return m;
        }
        if (meters.size() >= limit && !v.equals(OTHER)) {
            v = OTHER;
        }
        return meters.computeIfAbsent(v, create);
    }
}
