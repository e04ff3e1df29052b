package org.consentrecorder.admin;

import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A single HTTP byte range (RFC 9110 section 14): {@code bytes=a-b}, {@code bytes=a-} or
 * {@code bytes=-n}. Several ranges in one header are not supported (a browser seeking in an
 * audio element sends one); such a header, a malformed one, or one that lies outside the
 * recording is answered 416 with {@code Content-Range: bytes *}{@code /size}.
 */
public record ByteRange(long start, long endInclusive, long size) {
    private static final Pattern SPEC = Pattern.compile("\\s*(\\d{0,19})\\s*-\\s*(\\d{0,19})\\s*");

    public long length() {
        return endInclusive - start + 1;
    }

    public String contentRange() {
        return "bytes " + start + "-" + endInclusive + "/" + size;
    }

    /** Empty when there is no Range header (the whole recording). */
    public static Optional<ByteRange> parse(String header, long size) {
        if (header == null) {
            return Optional.empty();
        }
        String h = header.trim();
        int eq = h.indexOf('=');
        if (eq < 0 || !h.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("bytes")) {
            throw unsatisfiable(size, "only byte ranges are supported (Range: bytes=start-end)");
        }
        String spec = h.substring(eq + 1);
        if (spec.contains(",")) {
            throw unsatisfiable(size, "only a single range is supported");
        }
        Matcher m = SPEC.matcher(spec);
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            throw unsatisfiable(size, "the Range header is malformed (use bytes=start-end, bytes=start- or bytes=-suffix)");
        }
        try {
            if (m.group(1).isEmpty()) {
                long suffix = Long.parseLong(m.group(2));
                if (suffix == 0 || size == 0) {
                    throw unsatisfiable(size, "the range is empty");
                }
                return Optional.of(new ByteRange(Math.max(0, size - suffix), size - 1, size));
            }
            long start = Long.parseLong(m.group(1));
            long end = m.group(2).isEmpty() ? size - 1 : Long.parseLong(m.group(2));
            if (end < start) {
                throw unsatisfiable(size, "the range ends before it starts");
            }
            if (start >= size) {
                throw unsatisfiable(size, "the range starts at or after the end of the recording (" + size + " bytes)");
            }
            return Optional.of(new ByteRange(start, Math.min(end, size - 1), size));
        } catch (NumberFormatException e) {
            throw unsatisfiable(size, "the range is out of bounds");
        }
    }

    private static ApiError unsatisfiable(long size, String message) {
        return new ApiError(416, "range_not_satisfiable", message, new JsonObject().put("size", size));
    }
}
