package org.consentrecorder.observability;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.consentrecorder.config.Secret;

/**
 * Who may read /metrics. With CR_METRICS_TOKEN set, whoever sends it as a bearer token, from any
 * address, and nobody else (loopback included: a token is the stronger statement). Without it,
 * only peers on the loopback interface: metrics hold no personal data, but they tell an intruder
 * what runs and how busy it is, and a default that is safe needs no secret to get right.
 */
final class MetricsAccess {
    enum Decision { ALLOW, UNAUTHORIZED, FORBIDDEN }

    private final byte[] token;

    private MetricsAccess(byte[] token) {
        this.token = token;
    }

    static MetricsAccess of(Optional<Secret> token) {
        return new MetricsAccess(token.map(t -> t.reveal().getBytes(StandardCharsets.UTF_8)).orElse(null));
    }

    boolean tokenRequired() {
        return token != null;
    }

    /**
     * @param peerAddress   the TCP peer's IP address as text (X-Forwarded-For is never trusted)
     * @param authorization the Authorization header, or null
     */
    Decision check(String peerAddress, String authorization) {
        if (token != null) {
            if (authorization == null || authorization.length() < 8
                    || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return Decision.UNAUTHORIZED;
            }
            byte[] sent = authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8);
            return MessageDigest.isEqual(sent, token) ? Decision.ALLOW : Decision.UNAUTHORIZED;
        }
        return isLoopback(peerAddress) ? Decision.ALLOW : Decision.FORBIDDEN;
    }

    /** Only an IP literal is accepted (no name is ever resolved); ::ffff:127.0.0.1 counts as loopback. */
    static boolean isLoopback(String address) {
        // a literal has a dot or a colon; a bare number would be read as an integer IPv4 address
        if (address == null || !address.matches("[0-9A-Fa-f:.%]+") || !(address.contains(".") || address.contains(":"))) {
            return false;
        }
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
