package org.consentrecorder.admin;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reverse proxies whose {@code X-Forwarded-For} is believed ({@code CR_TRUSTED_PROXIES}: addresses
 * and CIDR blocks). The client address is found by walking the header from the right, skipping
 * trusted hops; a request from anyone else keeps its TCP peer address, whatever it claims.
 */
public final class TrustedProxies {
    private final List<Block> blocks;

    private record Block(byte[] network, int prefix) {
        boolean contains(byte[] a) {
            if (a.length != network.length) {
                return false;
            }
            int bits = a.length * 8;
            BigInteger mask = prefix == 0 ? BigInteger.ZERO
                    : BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE).shiftRight(bits - prefix).shiftLeft(bits - prefix);
            return new BigInteger(1, a).and(mask).equals(new BigInteger(1, network).and(mask));
        }
    }

    private TrustedProxies(List<Block> blocks) {
        this.blocks = List.copyOf(blocks);
    }

    public static TrustedProxies none() {
        return new TrustedProxies(List.of());
    }

    /** Parses a comma-separated list; returns the entry that is not an address or CIDR, if any. */
    public static TrustedProxies parse(String list, List<String> problems) {
        List<Block> out = new ArrayList<>();
        for (String raw : list.split(",")) {
            String s = raw.trim();
            if (s.isEmpty()) {
                continue;
            }
            String addr = s;
            int prefix = -1;
            int slash = s.indexOf('/');
            if (slash >= 0) {
                addr = s.substring(0, slash);
                try {
                    prefix = Integer.parseInt(s.substring(slash + 1));
                } catch (NumberFormatException e) {
                    problems.add(s);
                    continue;
                }
            }
            Optional<byte[]> bytes = literal(addr);
            if (bytes.isEmpty() || prefix > bytes.get().length * 8 || (slash >= 0 && prefix < 0)) {
                problems.add(s);
                continue;
            }
            out.add(new Block(bytes.get(), prefix < 0 ? bytes.get().length * 8 : prefix));
        }
        return new TrustedProxies(out);
    }

    public boolean isEmpty() {
        return blocks.isEmpty();
    }

    public boolean trusts(String address) {
        Optional<byte[]> a = literal(address);
        return a.isPresent() && blocks.stream().anyMatch(b -> b.contains(a.get()));
    }

    /** The client's address: the peer, or for a trusted peer the right-most untrusted X-Forwarded-For hop. */
    public String client(String peer, String forwardedFor) {
        if (peer == null || forwardedFor == null || !trusts(peer)) {
            return peer;
        }
        String[] hops = forwardedFor.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            if (literal(hop).isEmpty()) {
                // a hop that is not an address was written by someone we do not trust: stop at the last good one
                return peer;
            }
            if (!trusts(hop)) {
                return hop;
            }
            peer = hop;
        }
        return peer;
    }

    /** Only numeric literals: never a DNS lookup. */
    static Optional<byte[]> literal(String s) {
        if (s == null || s.isEmpty() || s.length() > 45) {
            return Optional.empty();
        }
        boolean v4 = s.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9')) && s.chars().filter(c -> c == '.').count() == 3;
        boolean v6 = s.indexOf(':') >= 0 && s.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0);
        if (!v4 && !v6) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(s).getAddress());
        } catch (UnknownHostException | SecurityException e) {
            return Optional.empty();
        }
    }
}
