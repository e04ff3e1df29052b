package org.consentrecorder.store;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.regex.Pattern;
import org.consentrecorder.config.ConfigReader;

/**
 * Active/standby (docs/scaling.md): this instance's name and how long a lease on an Asterisk server lasts without
 * renewal (there is one lease per server of {@code ari.AriSettings}, named as the server). The standby takes over at
 * most {@code ttl} plus one renewal interval ({@code ttl / 6}) after the holder stopped renewing.
 */
public record LeaseSettings(boolean enabled, String instanceId, Duration ttl) {

    /**
     * Off by default: one instance acts on its Asterisk server without a lease (and keeps handling calls while its
     * database is away, see README "Database down"). On, an instance acts only while it holds the lease.
     */
    public static final String HA = "CR_HA";
    public static final String INSTANCE_ID = "CR_INSTANCE_ID";
    public static final String LEASE = "CR_ARI_LEASE";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}");

    /** How often the holder renews and a standby tries to take over. */
    public Duration interval() {
        return ttl.dividedBy(6);
    }

    public static LeaseSettings load(ConfigReader r) {
        String instance = r.string(INSTANCE_ID, defaultInstanceId());
        if (!NAME.matcher(instance).matches()) {
            r.problem(INSTANCE_ID, "must be 1-64 characters of A-Z a-z 0-9 . _ : @ - (a name for this instance)");
        }
        Duration ttl = r.duration(LEASE, Duration.ofSeconds(3), Duration.ofMillis(600), Duration.ofMinutes(1));
        return new LeaseSettings(r.bool(HA, false), instance, ttl);
    }

    /** host@pid: unique among running instances, different after a restart (a restarted process is a new holder). */
    static String defaultInstanceId() {
        String runtime = ManagementFactory.getRuntimeMXBean().getName();
        int at = runtime.indexOf('@');
        String pid = at > 0 ? runtime.substring(0, at) : String.valueOf(ProcessHandle.current().pid());
        String host = at > 0 ? runtime.substring(at + 1) : "localhost";
        String id = host.replaceAll("[^A-Za-z0-9._-]", "-") + "@" + pid;
        return id.length() > 64 ? id.substring(id.length() - 64) : id;
    }
}
