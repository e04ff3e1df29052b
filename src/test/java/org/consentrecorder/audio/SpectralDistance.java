package org.consentrecorder.audio;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * How far the decoded audio's spectral envelope is from the source's: 32 ms Hann-windowed frames (hop 16 ms), power
 * summed into third-octave bands from 200 Hz (the telephone band; Opus's VOIP mode high-passes below about 100 Hz)
 * to just below Nyquist, and per frame the RMS over bands of the level
 * difference in dB (a band-wise log-spectral distance). Only frames where the source is active speech (within 35 dB
 * of the loudest frame) count. Phase, and anything finer than a third-octave band, is ignored on purpose: a
 * perceptual codec keeps the envelope and replaces fine structure with shaped noise, so a sample-by-sample SNR says
 * little about it. Not a perceptual measure (no PESQ, POLQA or ViSQOL here).
 */
final class SpectralDistance {

    record Result(double meanDb, double p95Db, double levelDb, int frames) {
    }

    private SpectralDistance() {
    }

    /** {@code source} and {@code decoded} are mono and sample-aligned. */
    static Result of(short[] source, short[] decoded, int rate) {
        int size = rate == 8000 ? 256 : 512;
        int hop = size / 2;
        double[] window = new double[size];
        for (int i = 0; i < size; i++) {
            window[i] = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / size);
        }
        List<double[]> bandEdges = new ArrayList<>();
        for (double centre = 200; centre * Math.pow(2, 1.0 / 6) < rate * 0.47; centre *= Math.pow(2, 1.0 / 3)) {
            bandEdges.add(new double[] {centre / Math.pow(2, 1.0 / 6), centre * Math.pow(2, 1.0 / 6)});
        }
        int frames = (source.length - size) / hop;
        double[] energy = new double[frames];
        double loudest = 0;
        for (int f = 0; f < frames; f++) {
            energy[f] = AudioTestSupport.rms(source, f * hop, size);
            loudest = Math.max(loudest, energy[f]);
        }
        double threshold = loudest * Math.pow(10, -35 / 20.0);
        List<Double> distances = new ArrayList<>();
        double sourcePower = 0;
        double decodedPower = 0;
        for (int f = 0; f < frames; f++) {
            if (energy[f] < threshold) {
                continue;
            }
            double[] a = bands(source, f * hop, window, bandEdges, rate);
            double[] b = bands(decoded, f * hop, window, bandEdges, rate);
            double sum = 0;
            for (int k = 0; k < a.length; k++) {
                double d = 10 * Math.log10((a[k] + 1e-3) / (b[k] + 1e-3));
                sum += d * d;
                sourcePower += a[k];
                decodedPower += b[k];
            }
            distances.add(Math.sqrt(sum / a.length));
        }
        Collections.sort(distances);
        double mean = distances.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        double p95 = distances.isEmpty() ? Double.NaN : distances.get((int) (distances.size() * 0.95));
        return new Result(mean, p95, 10 * Math.log10(decodedPower / sourcePower), distances.size());
    }

    private static double[] bands(short[] x, int from, double[] window, List<double[]> edges, int rate) {
        int n = window.length;
        double[] re = new double[n];
        double[] im = new double[n];
        for (int i = 0; i < n; i++) {
            re[i] = x[from + i] * window[i];
        }
        fft(re, im);
        double[] out = new double[edges.size()];
        for (int bin = 1; bin < n / 2; bin++) {
            double hz = (double) bin * rate / n;
            for (int k = 0; k < out.length; k++) {
                if (hz >= edges.get(k)[0] && hz < edges.get(k)[1]) {
                    out[k] += re[bin] * re[bin] + im[bin] * im[bin];
                }
            }
        }
        return out;
    }

    /** In-place iterative radix-2 FFT; {@code re.length} is a power of two. */
    static void fft(double[] re, double[] im) {
        int n = re.length;
        for (int i = 1, j = 0; i < n; i++) {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) {
                j ^= bit;
            }
            j ^= bit;
            if (i < j) {
                double t = re[i];
                re[i] = re[j];
                re[j] = t;
                t = im[i];
                im[i] = im[j];
                im[j] = t;
            }
        }
        for (int len = 2; len <= n; len <<= 1) {
            double angle = -2 * Math.PI / len;
            double wr = Math.cos(angle);
            double wi = Math.sin(angle);
            for (int i = 0; i < n; i += len) {
                double cr = 1;
                double ci = 0;
                for (int k = 0; k < len / 2; k++) {
                    int a = i + k;
                    int b = a + len / 2;
                    double tr = re[b] * cr - im[b] * ci;
                    double ti = re[b] * ci + im[b] * cr;
                    re[b] = re[a] - tr;
                    im[b] = im[a] - ti;
                    re[a] += tr;
                    im[a] += ti;
                    double ncr = cr * wr - ci * wi;
                    ci = cr * wi + ci * wr;
                    cr = ncr;
                }
            }
        }
    }
}
