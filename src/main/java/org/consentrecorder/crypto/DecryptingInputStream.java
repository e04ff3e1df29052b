package org.consentrecorder.crypto;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;

/**
 * Pull-style wrapper for playback and export: reads ciphertext from {@code source} and serves only authenticated
 * plaintext. Reaching the end of {@code source} runs {@link RecordingDecryptor#finish()}, so a truncated stream
 * fails at the end instead of looking like a short recording. Authentication failures surface as the unchecked
 * {@link CiphertextAuthenticationException}; I/O failures of the source as {@link IOException}.
 *
 * <p>For Range playback, build the decryptor with {@link RecordingDecryptor#fromSegment}, position {@code source}
 * at the segment's ciphertext offset and {@link #skipNBytes(long) skip} {@code offsetInSegment} bytes. Closing
 * before the end abandons the decryptor.
 */
public final class DecryptingInputStream extends InputStream {

    private static final int READ_CHUNK = 16 * 1024;

    private final InputStream source;
    private final RecordingDecryptor decryptor;
    private final byte[] readBuffer = new byte[READ_CHUNK];
    private final Deque<byte[]> ready = new ArrayDeque<>();
    private byte[] current = new byte[0];
    private int position;
    private boolean sourceDone;
    private boolean closed;
    private CiphertextAuthenticationException failure;

    public DecryptingInputStream(InputStream source, RecordingDecryptor decryptor) {
        this.source = Objects.requireNonNull(source, "source");
        this.decryptor = Objects.requireNonNull(decryptor, "decryptor");
    }

    /** Whole stream (header first) with the default backend. */
    public static DecryptingInputStream open(InputStream source, DataKey dataKey, byte[] associatedData) {
        return new DecryptingInputStream(source, RecordingDecryptor.create(dataKey, associatedData));
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n == -1 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        ensureOpen();
        if (len == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = Math.min(len, current.length - position);
        System.arraycopy(current, position, b, off, n);
        position += n;
        return n;
    }

    @Override
    public int available() throws IOException {
        ensureOpen();
        return current.length - position;
    }

    /**
     * Makes {@code current} hold unread bytes; false at the verified end of the stream. A failure sticks: later reads
     * throw again rather than report a clean end of stream.
     */
    private boolean fill() throws IOException {
        if (failure != null) {
            throw new CiphertextAuthenticationException(failure.reason(), failure.getMessage());
        }
        try {
            return fillFromSource();
        } catch (CiphertextAuthenticationException e) {
            failure = e;
            ready.clear();
            throw e;
        }
    }

    private boolean fillFromSource() throws IOException {
        while (position == current.length) {
            if (!ready.isEmpty()) {
                current = ready.poll();
                position = 0;
            } else if (sourceDone) {
                return false;
            } else {
                int n = source.read(readBuffer, 0, readBuffer.length);
                if (n == -1) {
                    sourceDone = true;
                    ready.add(decryptor.finish());
                } else {
                    ready.addAll(decryptor.update(readBuffer, 0, n));
                }
            }
        }
        return true;
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        ready.clear();
        current = new byte[0];
        if (!sourceDone) {
            decryptor.abandon();
        }
        source.close();
    }
}
