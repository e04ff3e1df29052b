import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.SecureRandom;

/**
 * AES-GCM throughput of the JDK's provider over time, in 64 KiB seals (the archive's segment size), every half
 * second: how fast a fresh JVM encrypts before and after C2 compiles GHASH to its intrinsic.
 * Run: java [JVM OPTIONS] bench/GcmTiers.java SECONDS
 * e.g. with -XX:CompileThresholdScaling=0.1 (shipped), -XX:TieredStopAtLevel=1 (C1 only) or =3 (C1 with profiling).
 */
public class GcmTiers {
    public static void main(String[] args) throws Exception {
        long seconds = Long.parseLong(args[0]);
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        SecretKeySpec k = new SecretKeySpec(key, "AES");
        byte[] plaintext = new byte[65536];
        byte[] iv = new byte[12];
        long start = System.nanoTime();
        long last = start;
        long bytes = 0;
        long seals = 0;
        while (System.nanoTime() - start < seconds * 1_000_000_000L) {
            java.nio.ByteBuffer.wrap(iv).putLong(4, seals);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, k, new GCMParameterSpec(128, iv));
            c.doFinal(plaintext);
            bytes += plaintext.length;
            seals++;
            long now = System.nanoTime();
            if (now - last > 500_000_000L) {
                System.out.printf("%.1f s  %d seals  %.0f MB/s%n", (now - start) / 1e9, seals, bytes / 1e6 / ((now - last) / 1e9));
                bytes = 0;
                last = now;
            }
        }
    }
}
