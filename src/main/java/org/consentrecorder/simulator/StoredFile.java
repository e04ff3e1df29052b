package org.consentrecorder.simulator;

import io.vertx.core.buffer.Buffer;

/**
 * A stored recording. Small ones hold their bytes; large ones (the 200 MB archive test) are
 * generated on the fly from a seed so the simulator never holds them in memory either.
 */
public final class StoredFile {
    final String name;
    final String format;
    final long size;
    private final byte[] bytes;
    private final long seed;

    private StoredFile(String name, String format, byte[] bytes, long size, long seed) {
        this.name = name;
        this.format = format;
        this.bytes = bytes;
        this.size = size;
        this.seed = seed;
    }

    static StoredFile of(String name, String format, byte[] bytes) {
        return new StoredFile(name, format, bytes, bytes.length, 0);
    }

    static StoredFile generated(String name, String format, long size, long seed) {
        return new StoredFile(name, format, null, size, seed);
    }

    /** The same content under another name (POST /recordings/stored/{name}/copy). */
    StoredFile copyAs(String newName) {
        return new StoredFile(newName, format, bytes, size, seed);
    }

    public String name() {
        return name;
    }

    public String format() {
        return format;
    }

    public long size() {
        return size;
    }

    /** Bytes [offset, offset+length) of the file. */
    public Buffer slice(long offset, int length) {
        if (bytes != null) {
            return Buffer.buffer().appendBytes(bytes, (int) offset, length);
        }
        byte[] chunk = new byte[length];
        for (int i = 0; i < length; i++) {
            chunk[i] = byteAt(seed, offset + i);
        }
        return Buffer.buffer(chunk);
    }

    /** The generator of large files, also used by tests to check what was archived. */
    static byte byteAt(long seed, long position) {
        long x = position * 0x9E3779B97F4A7C15L + seed;
        x ^= (x >>> 31);
        x *= 0xBF58476D1CE4E5B9L;
        x ^= (x >>> 29);
        return (byte) x;
    }
}
