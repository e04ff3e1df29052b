package org.consentrecorder.admin;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashing with BouncyCastle's {@link Argon2BytesGenerator}, stored as a PHC
 * string ({@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>}, unpadded base64) so parameters
 * can be raised later without breaking existing hashes. Defaults follow the OWASP password storage
 * cheat sheet (19 MiB, 2 passes, 1 lane). This is CPU- and memory-heavy blocking work: callers
 * run it on a worker thread, never on an event loop.
 */
public final class PasswordHasher {
    public static final int MEMORY_KIB = 19 * 1024;
    public static final int ITERATIONS = 2;
    public static final int PARALLELISM = 1;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final Pattern PHC = Pattern.compile(
            "\\$argon2id\\$v=19\\$m=(\\d{1,8}),t=(\\d{1,3}),p=(\\d{1,2})\\$([A-Za-z0-9+/]{11,})\\$([A-Za-z0-9+/]{16,})");
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private final SecureRandom random = new SecureRandom();
    /** How many verifications ran (real and dummy): what a burst of logins cost, for the throttling tests. */
    private final java.util.concurrent.atomic.AtomicLong verifications = new java.util.concurrent.atomic.AtomicLong();
    private final int memoryKib;
    private final int iterations;

    public PasswordHasher() {
        this(MEMORY_KIB, ITERATIONS);
    }

    /** Other cost parameters, e.g. cheaper ones in unit tests of this class. */
    public PasswordHasher(int memoryKib, int iterations) {
        this.memoryKib = memoryKib;
        this.iterations = iterations;
    }

    public String hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] out = derive(password, salt, memoryKib, iterations, PARALLELISM, HASH_BYTES);
        try {
            return "$argon2id$v=19$m=" + memoryKib + ",t=" + iterations + ",p=" + PARALLELISM + "$"
                    + B64.encodeToString(salt) + "$" + B64.encodeToString(out);
        } finally {
            Arrays.fill(out, (byte) 0);
        }
    }

    /** Constant-time comparison; false for a malformed stored hash. */
    public boolean verify(String password, String phc) {
        verifications.incrementAndGet();
        Matcher m = phc == null ? null : PHC.matcher(phc);
        if (m == null || !m.matches()) {
            return false;
        }
        int mem = Integer.parseInt(m.group(1));
        int t = Integer.parseInt(m.group(2));
        int p = Integer.parseInt(m.group(3));
        if (mem < 8 * p || mem > 4 * 1024 * 1024 || t < 1 || p < 1) {
            return false;
        }
        byte[] salt = B64D.decode(m.group(4));
        byte[] expected = B64D.decode(m.group(5));
        byte[] actual = derive(password, salt, mem, t, p, expected.length);
        try {
            return MessageDigest.isEqual(expected, actual);
        } finally {
            Arrays.fill(actual, (byte) 0);
        }
    }

    /**
     * Burns the same work as a real verification: used for unknown accounts so that the answer
     * time does not tell which user names exist.
     */
    public void dummyVerify(String password) {
        verifications.incrementAndGet();
        byte[] out = derive(password == null ? "" : password, new byte[SALT_BYTES], memoryKib, iterations, PARALLELISM, HASH_BYTES);
        Arrays.fill(out, (byte) 0);
    }

    public long verifications() {
        return verifications.get();
    }

    private static byte[] derive(String password, byte[] salt, int memKib, int t, int p, int length) {
        Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(memKib)
                .withIterations(t)
                .withParallelism(p)
                .withSalt(salt)
                .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(params);
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] pw = new byte[encoded.remaining()];
        encoded.get(pw);
        if (encoded.hasArray()) {
            Arrays.fill(encoded.array(), (byte) 0);
        }
        byte[] out = new byte[length];
        try {
            generator.generateBytes(pw, out);
            return out;
        } finally {
            Arrays.fill(pw, (byte) 0);
        }
    }
}
