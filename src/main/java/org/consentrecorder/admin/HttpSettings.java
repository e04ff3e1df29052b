package org.consentrecorder.admin;

import org.consentrecorder.config.ConfigReader;

/** Where the HTTP server (health, admin API) listens. */
public record HttpSettings(String host, int port) {

    public static final String HTTP_HOST = "CR_HTTP_HOST";
    public static final String HTTP_PORT = "CR_HTTP_PORT";
    public static final int DEFAULT_HTTP_PORT = 8080;

    public static HttpSettings load(ConfigReader r) {
        return new HttpSettings(r.string(HTTP_HOST, "0.0.0.0"), r.integer(HTTP_PORT, DEFAULT_HTTP_PORT, 0, 65535));
    }
}
