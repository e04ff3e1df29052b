package org.consentrecorder.admin;

import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.consentrecorder.call.CallRegistry;

/**
 * Which live calls a principal may see and control. An agent only those whose caller channel, or a
 * channel that answered the caller (an ARI Dial with status ANSWER), matches one of its endpoint
 * patterns: channel names such as {@code PJSIP/agent-7} or {@code PJSIP/agent-7-*}, {@code *}
 * standing for any characters. A pattern matches a channel whose name it matches whole, or whose
 * name is it followed by Asterisk's "-" suffix ({@code PJSIP/agent-7} matches
 * {@code PJSIP/agent-7-0000002a}). An agent without endpoints sees nothing; other roles allowed
 * on live calls (supervisor) see all.
 */
final class AgentScope {
    static final int MAX_ENDPOINTS = 32;
    static final int MAX_LENGTH = 80;
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9/_.@:*+-]{1," + MAX_LENGTH + "}");

    private AgentScope() {
    }

    static boolean allows(Principal p, CallRegistry.LiveCall call) {
        if (p.role() != Role.AGENT) {
            return true;
        }
        for (String pattern : p.endpoints()) {
            if (matches(pattern, call.channelName())) {
                return true;
            }
            for (String peer : call.peers()) {
                if (matches(pattern, peer)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** TECH/NAME: a technology without wildcard, and a name with something besides wildcards. */
    static boolean namesAnEndpoint(String pattern) {
        int slash = pattern.indexOf('/');
        if (slash <= 0 || pattern.substring(0, slash).contains("*")) {
            return false;
        }
        return !pattern.substring(slash + 1).replace("*", "").isEmpty();
    }

    static boolean matches(String pattern, String channelName) {
        if (channelName == null) {
            return false;
        }
        Pattern p = Pattern.compile(glob(pattern) + "(-[^-/]+)?");
        return p.matcher(channelName).matches();
    }

    private static String glob(String pattern) {
        String[] parts = pattern.split("\\*", -1);
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                re.append(".*");
            }
            re.append(Pattern.quote(parts[i]));
        }
        return re.toString();
    }

    /** The {@code endpoints} field of a request body: at most 32 channel-name patterns. */
    static List<String> parse(JsonArray raw) {
        if (raw == null) {
            return List.of();
        }
        if (raw.size() > MAX_ENDPOINTS) {
            throw ApiError.badRequest("field 'endpoints' has at most " + MAX_ENDPOINTS + " patterns");
        }
        List<String> out = new ArrayList<>();
        for (Object o : raw) {
            if (!(o instanceof String s) || !VALID.matcher(s).matches()) {
                throw ApiError.badRequest("field 'endpoints' holds channel-name patterns of 1 to " + MAX_LENGTH
                        + " characters (letters, digits, / _ . @ : + - and * as a wildcard)");
            }
            if (!namesAnEndpoint(s)) {
                // "*" or "PJSIP/*" would let an agent control every live call: a supervisor's reach, which an admin
                // may give only with a second admin's approval (the supervisor role), never through an agent's scope
                throw ApiError.badRequest("field 'endpoints': '" + s + "' does not name an endpoint: a pattern is "
                        + "TECHNOLOGY/NAME, with no wildcard in TECHNOLOGY and a literal character in NAME (PJSIP/agent-7, "
                        + "PJSIP/agent-7*); one matching every channel would give an agent a supervisor's reach");
            }
            out.add(s);
        }
        return List.copyOf(out);
    }
}
