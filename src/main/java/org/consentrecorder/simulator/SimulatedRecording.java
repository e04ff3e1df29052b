package org.consentrecorder.simulator;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A live recording. It keeps the intervals during which audio was written (pause cuts them out,
 * mute writes silence) so the finished file has the length and silences a real one would.
 * The audio comes from a {@link CallAudio} whose timeline follows wall time (the tests' 400 Hz
 * tone, so a test can tell a cut from a silence by looking at the samples; the demo's speech).
 */
final class SimulatedRecording {
    final String name;
    final String format;
    final String channelId;
    final long startedNanos;
    /** The direction of the snoop channel it records (in, out, both); "both" for any other channel. */
    String direction = "both";
    boolean paused;
    boolean muted;
    /**
     * Asterisk before the fix for asterisk/asterisk#322 (2023): res_stasis_recording keeps a
     * "muted" flag that unmute never clears, so after one mute/unmute every later mute is
     * answered 204 and does nothing. From the Asterisk source, not from a capture.
     */
    boolean legacyMuteFlagBug;
    private boolean muteFlag;
    private long segmentStart;
    private final List<long[]> segments = new ArrayList<>();   // {startNanos, endNanos, muted?1:0}

    SimulatedRecording(String name, String format, String channelId, long now) {
        this.name = name;
        this.format = format;
        this.channelId = channelId;
        this.startedNanos = now;
        this.segmentStart = now;
    }

    String state() {
        return paused ? "paused" : "recording";
    }

    void pause(long now) {
        if (!paused) {
            close(now);
            paused = true;
        }
    }

    void unpause(long now) {
        if (paused) {
            paused = false;
            segmentStart = now;
        }
    }

    void mute(long now) {
        if (legacyMuteFlagBug) {
            if (muteFlag) {
                return;
            }
            muteFlag = true;
        }
        if (!muted) {
            if (!paused) {
                close(now);
                segmentStart = now;
            }
            muted = true;
        }
    }

    void unmute(long now) {
        if (legacyMuteFlagBug && !muteFlag) {
            return;
        }
        if (muted) {
            if (!paused) {
                close(now);
                segmentStart = now;
            }
            muted = false;
        }
    }

    void finish(long now) {
        if (!paused) {
            close(now);
            paused = true;
        }
    }

    private void close(long now) {
        segments.add(new long[] {segmentStart, now, muted ? 1 : 0});
    }

    long recordedMillis() {
        long total = 0;
        for (long[] s : segments) {
            total += (s[1] - s[0]) / 1_000_000;
        }
        return total;
    }

    /** The size {@link #wav()} would have, without synthesizing it. */
    long wavSize() {
        long samples = 0;
        for (long[] s : segments) {
            samples += (s[1] - s[0]) / 125_000;
        }
        return 44 + 2 * samples;
    }

    /**
     * The finished file: RIFF/WAVE, PCM, mono, 8000 Hz, 16 bit, as Asterisk writes wav. The call's
     * sound follows wall time from the recording's start: a pause cuts a stretch of it out, a mute
     * writes that stretch as silence.
     */
    byte[] wav(CallAudio audio) {
        long lastSample = 0;
        for (long[] s : segments) {
            lastSample = Math.max(lastSample, (s[1] - startedNanos) / 125_000);
        }
        if (lastSample > Integer.MAX_VALUE / 2) {
            throw new IllegalStateException("recording " + name + " is too long to synthesize");
        }
        short[] sound = audio.render(name.hashCode(), (int) lastSample + 1);
        ByteArrayOutputStream pcm = new ByteArrayOutputStream();
        for (long[] s : segments) {
            long samples = (s[1] - s[0]) / 125_000;   // 8000 samples per second
            long firstSample = (s[0] - startedNanos) / 125_000;
            ByteBuffer buf = ByteBuffer.allocate((int) samples * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (long i = 0; i < samples; i++) {
                buf.putShort(s[2] == 1 ? 0 : sound[(int) (firstSample + i)]);
            }
            pcm.writeBytes(buf.array());
        }
        return wav(pcm.toByteArray());
    }

    /**
     * The finished file from a {@link CallSound}: each written stretch is that direction's sound at the
     * stretch's place on the simulator's timeline ({@code originNanos} is its sample 0); a pause cuts the
     * stretch out, a mute writes it as silence.
     */
    byte[] wav(CallSound sound, long originNanos) {
        ByteArrayOutputStream pcm = new ByteArrayOutputStream();
        for (long[] s : segments) {
            long samples = (s[1] - s[0]) / 125_000;
            if (samples > Integer.MAX_VALUE / 2) {
                throw new IllegalStateException("recording " + name + " is too long to synthesize");
            }
            short[] part = s[2] == 1 ? new short[(int) samples]
                    : sound.render(direction, (s[0] - originNanos) / 125_000, (int) samples);
            ByteBuffer buf = ByteBuffer.allocate((int) samples * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < samples; i++) {
                buf.putShort(part[i]);
            }
            pcm.writeBytes(buf.array());
        }
        return wav(pcm.toByteArray());
    }

    static byte[] wav(byte[] pcm) {
        ByteBuffer h = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
        h.put("RIFF".getBytes()).putInt(36 + pcm.length).put("WAVE".getBytes())
                .put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1)
                .putInt(8000).putInt(16000).putShort((short) 2).putShort((short) 16)
                .put("data".getBytes()).putInt(pcm.length);
        byte[] out = new byte[44 + pcm.length];
        System.arraycopy(h.array(), 0, out, 0, 44);
        System.arraycopy(pcm, 0, out, 44, pcm.length);
        return out;
    }
}
