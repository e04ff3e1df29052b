package org.consentrecorder.admin;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Passes on bytes [offset, offset+length) of what is written through it and drops the rest; once
 * the range is complete it flushes and throws {@link RangeComplete}, so the writer (a decoder) can
 * stop instead of producing bytes nobody asked for.
 */
final class RangeOutputStream extends FilterOutputStream {
    private final long offset;
    private final long end;
    private long position;

    RangeOutputStream(OutputStream out, long offset, long length) {
        super(out);
        this.offset = offset;
        this.end = offset + length;
    }

    /** The range has been written in full. */
    static final class RangeComplete extends IOException {
        private static final long serialVersionUID = 1L;

        RangeComplete() {
            super("the requested range is complete");
        }
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        long from = Math.max(position, offset);
        long to = Math.min(position + len, end);
        if (to > from) {
            out.write(b, off + (int) (from - position), (int) (to - from));
        }
        position += len;
        if (position >= end) {
            out.flush();
            throw new RangeComplete();
        }
    }
}
