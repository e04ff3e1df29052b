package org.consentrecorder.ari;

import java.util.regex.Pattern;

/**
 * One Asterisk server of the deployment: its short name (what calls, recordings and timeline rows carry, what the
 * lease is for, what the metrics label says) and where its ARI is.
 */
public record AriServer(String name, AriEndpoint endpoint) {
    /** The name of the one server that {@code CR_ARI_URL} configures unless {@code CR_ARI_SERVER_NAME} says otherwise. */
    public static final String DEFAULT_NAME = "default";
    /** Names in {@code CR_ARI_SERVERS}: short, lower case, and usable in an environment variable's name. */
    static final Pattern LISTED_NAME = Pattern.compile("[a-z][a-z0-9_]{0,31}");
    /** {@code CR_ARI_SERVER_NAME} (the single server's name) was allowed more before several servers existed. */
    static final Pattern SINGLE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}");

    @Override
    public String toString() {
        return "AriServer[" + name + ", " + endpoint.describe() + "]";
    }
}
