package org.consentrecorder.ari;

import java.util.List;
import java.util.function.Supplier;

/**
 * The ARI client of each Asterisk server this deployment knows, by the server's name. What works on a stored
 * recording (the archive's fetch and deletion, reconciliation, quarantine, erasure) asks for the client of the server
 * that holds the file, never just "the" client.
 */
public interface AriClients {

    /**
     * The client of {@code server}, or null when it cannot be used from here now: not connected, held by another
     * instance (active/standby), or not configured any more. A caller that gets null leaves the work for later.
     */
    AriClient client(String server);

    /** The configured servers' names, in configuration order. */
    List<String> servers();

    default boolean configured(String server) {
        return servers().contains(server);
    }

    /** One server (tests and tools that talk to one Asterisk). */
    static AriClients single(String name, Supplier<AriClient> client) {
        return new AriClients() {
            @Override
            public AriClient client(String server) {
                return name.equals(server) ? client.get() : null;
            }

            @Override
            public List<String> servers() {
                return List.of(name);
            }
        };
    }
}
