package org.consentrecorder.admin;

import java.time.Instant;

/**
 * A copy of the chain head kept outside the database (a line of the anchor file, a time-stamp token from a TSA):
 * the row at {@code seq} had hash {@code hash} at {@code at}. A rewrite of the chain, or rows cut off its end, no
 * longer matches it, and the anchor cannot be rewritten by whoever can only write to the database.
 *
 * @param source where it came from, for the report ("file:12" = line 12 of the anchor file, "tsa:…")
 */
public record AuditAnchor(long seq, byte[] hash, Instant at, String source) {
}
