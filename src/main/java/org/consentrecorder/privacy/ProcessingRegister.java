package org.consentrecorder.privacy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.consentrecorder.call.LawfulBasis;
import org.consentrecorder.call.NoticeSet;
import org.consentrecorder.call.CallSettings;

/**
 * The records of processing activities (GDPR Art. 30) for this system, built from the running
 * configuration, so the register states what the deployment actually does: the lawful basis that
 * is recorded with every decision, the notices callers hear, the retention periods the job
 * enforces, the pause style, the encryption and the roles. What the configuration cannot know
 * (the controller's name, unless configured; other systems) is marked for the controller to fill in.
 */
public final class ProcessingRegister {
    /** What the register describes: the deployment's privacy and call settings, and whether the API uses TLS. */
    public record RegisterFacts(PrivacySettings privacy, CallSettings calls, boolean tls) {
    }

    public static final String FORMAT = "consent-recorder-processing-register/1";
    private static final String NOT_CONFIGURED = "not configured";

    private ProcessingRegister() {
    }

    /**
     * @param roles role name to the permissions it holds (the admin API's role table)
     */
    public static JsonObject build(RegisterFacts config, Map<String, List<String>> roles, Instant now) {
        String implementation = ProcessingRegister.class.getPackage().getImplementationVersion();
        String version = implementation == null ? "(development build)" : implementation;
        PrivacySettings p = config.privacy();
        PrivacySettings.RetentionPolicy r = p.retention();
        LawfulBasis basis = config.calls().ivr().basis();
        JsonArray notices = new JsonArray();
        for (NoticeSet n : config.calls().ivr().notices().all()) {
            notices.add(new JsonObject().put("id", n.id()).put("language", n.language()).put("version", n.version())
                    .put("text", n.informedText()).put("not_recorded_text", n.notRecorded().text()));
        }
        JsonObject roleTable = new JsonObject();
        roles.forEach((role, permissions) -> roleTable.put(role, new JsonArray(permissions)));
        String spy = config.calls().recording().spy();
        JsonObject recording = new JsonObject()
                .put("name", "Recording of inbound calls")
                .put("purposes", "as announced to callers before recording (notice_sets); only with "
                        + (basis == LawfulBasis.CONSENT ? "explicit consent" : "no objection"))
                .put("lawful_basis", basis == LawfulBasis.CONSENT
                        ? "GDPR Art. 6(1)(a): consent, asked before any recording; silence is not consent; "
                        + "withdrawal at any time (in the call, or through the admin API)"
                        : "GDPR Art. 6(1)(f): legitimate interest; every caller is told and may object before "
                        + "any recording")
                .put("data_subjects", new JsonArray().add("callers").add("employees answering the calls (their voice)"))
                .put("data_categories", new JsonArray()
                        .add("caller number and caller name as sent by the network")
                        .add("call metadata: times, channel ids, outcome, pause timeline")
                        .add("audio of the call (" + switch (spy) {
                            case "in" -> "the caller's direction only";
                            case "out" -> "the agent's direction only";
                            default -> "both directions";
                        } + "), format " + config.calls().recording().format()
                                + "; payment segments are never recorded (pause style "
                                + config.calls().recording().pauseStyle().name().toLowerCase() + ")"))
                .put("recipients", new JsonArray()
                        .add("operators of this system by role (roles below); every access is in the audit trail")
                        .add("the data subject (access requests)"))
                .put("third_country_transfers", "none by this system")
                .put("retention", new JsonObject()
                        .put("recordings", period(r.recordings()) + " after the call; then the ciphertext is deleted "
                                + "and, once a caller has no recording left, the caller's key is destroyed")
                        .put("call_metadata", period(r.calls()) + " after the call; then deleted (anonymous daily "
                                + "statistics are kept)"))
                .put("security_measures", security(config));
        JsonObject evidence = new JsonObject()
                .put("name", "Consent evidence and recording preferences")
                .put("purposes", "to demonstrate that a recording was consented to or objected to (GDPR Art. 7(1), "
                        + "5(2)), and to honour \"do not record\" on later calls")
                .put("lawful_basis", "GDPR Art. 6(1)(c) with Art. 7(1) and 5(2) (accountability)")
                .put("data_subjects", new JsonArray().add("callers"))
                .put("data_categories", new JsonArray().add("caller number and name, the notice heard (version and "
                        + "words), keys pressed, time, outcome, lawful basis").add("current preference and its history"))
                .put("recipients", new JsonArray().add("compliance and supervisor roles (read); the data subject"))
                .put("third_country_transfers", "none by this system")
                .put("retention", period(r.evidence()) + " after the decision; then caller identifiers are redacted and "
                        + "the decision itself (outcome, time, notice, basis) is kept; append-only in the database")
                .put("security_measures", new JsonArray().add("append-only table (database trigger); changes only "
                        + "by erasure and retention").add("role-based access, audited"));
        JsonObject requests = new JsonObject()
                .put("name", "Data-subject requests, legal holds and the audit trail")
                .put("purposes", "to answer access and erasure requests within " + due(p) + ", to keep what the "
                        + "law requires (legal holds), and to prove who accessed personal data")
                .put("lawful_basis", "GDPR Art. 6(1)(c) with Art. 12, 15, 17, 30 and 32")
                .put("data_subjects", new JsonArray().add("callers who made requests").add("operators of this system"))
                .put("data_categories", new JsonArray().add("request dates, status, who handled it")
                        .add("operator names, roles, source addresses, actions (audit trail)"))
                .put("recipients", new JsonArray().add("compliance and auditor roles"))
                .put("third_country_transfers", "none by this system")
                .put("retention", "requests: the subject is replaced by an irreversible token once an erasure is done; "
                        + "audit trail: append-only and hash-chained, kept as accountability record; callers appear "
                        + "there only as random pseudonyms, unlinked on erasure")
                .put("security_measures", new JsonArray().add("hash-chained append-only audit log")
                        .add("deny-by-default roles"));
        JsonObject statistics = new JsonObject()
                .put("name", "Daily call statistics")
                .put("purposes", "reporting (calls, consent rate, pauses, handle time)")
                .put("lawful_basis", "not personal data: aggregates per day without identifiers")
                .put("retention", "kept");
        return new JsonObject()
                .put("format", FORMAT)
                .put("generated_at", JsonTime.format(now))
                .put("system", "consent-recorder " + version)
                .put("controller", new JsonObject()
                        .put("name", orMissing(p.controller().name(), PrivacySettings.CONTROLLER_NAME))
                        .put("contact", orMissing(p.controller().contact(), PrivacySettings.CONTROLLER_CONTACT))
                        .put("data_protection_officer", orMissing(p.controller().dpoContact(), PrivacySettings.DPO_CONTACT)))
                .put("activities", new JsonArray().add(recording).add(evidence).add(requests).add(statistics))
                .put("notice_sets", notices)
                .put("roles", roleTable)
                .put("configuration", new JsonObject()
                        .put("lawful_basis", basis.name().toLowerCase())
                        .put("pause_style", config.calls().recording().pauseStyle().name().toLowerCase())
                        .put("snoop_spy", spy)
                        .put("retention_recordings", period(r.recordings()))
                        .put("retention_calls", period(r.calls()))
                        .put("retention_evidence", period(r.evidence()))
                        .put("retention_job_interval", config.privacy().retentionInterval().isZero() ? "on demand only"
                                : config.privacy().retentionInterval().toString())
                        .put("request_due", due(p))
                        .put("tls", config.tls()));
    }

    private static JsonArray security(RegisterFacts config) {
        return new JsonArray()
                .add("recordings encrypted at rest: AES-256-GCM (STREAM segments), a fresh data key per recording, "
                        + "wrapped under a per-caller key, wrapped under a key-encryption key that never enters the "
                        + "database (docs/encryption-format.md)")
                .add("crypto-shredding: erasing a caller destroys the caller's key, so database backups cannot be "
                        + "decrypted afterwards (docs/privacy.md)")
                .add("payment card data never recorded: pause with fail-closed deadline "
                        + config.calls().recording().pauseDeadline().toMillis() + " ms")
                .add("admin API: " + (config.tls() ? "HTTPS" : "plain HTTP (put TLS in front)")
                        + ", deny-by-default roles, Argon2id passwords, short-lived tokens, every access audited in a "
                        + "hash-chained append-only log");
    }

    static String period(Optional<Duration> d) {
        return d.map(ProcessingRegister::days).orElse("kept until erased (no retention period configured)");
    }

    private static String days(Duration d) {
        return d.toHours() % 24 == 0 ? d.toDays() + " days" : d.toHours() + " hours";
    }

    private static String due(PrivacySettings p) {
        return p.requestDue().toTotalMonths() > 0 && p.requestDue().getDays() == 0
                ? p.requestDue().toTotalMonths() + " month(s)" : p.requestDue().getDays() + " days";
    }

    private static String orMissing(String value, String key) {
        return value.isEmpty() ? NOT_CONFIGURED + " (set " + key + ")" : value;
    }

    /** The register as Markdown, for people. */
    public static String markdown(JsonObject register) {
        StringBuilder md = new StringBuilder();
        md.append("# Records of processing activities (GDPR Art. 30)\n\n");
        md.append("System: ").append(register.getString("system")).append(", generated ")
                .append(register.getString("generated_at")).append(" from the running configuration.\n\n");
        JsonObject c = register.getJsonObject("controller");
        md.append("Controller: ").append(c.getString("name")).append("; contact: ").append(c.getString("contact"))
                .append("; data protection officer: ").append(c.getString("data_protection_officer")).append("\n\n");
        for (Object o : register.getJsonArray("activities")) {
            JsonObject a = (JsonObject) o;
            md.append("## ").append(a.getString("name")).append("\n\n");
            for (String field : a.fieldNames()) {
                if (field.equals("name")) {
                    continue;
                }
                md.append("- **").append(field.replace('_', ' ')).append("**: ").append(text(a.getValue(field)))
                        .append("\n");
            }
            md.append("\n");
        }
        md.append("## Notices callers hear\n\n");
        for (Object o : register.getJsonArray("notice_sets")) {
            JsonObject n = (JsonObject) o;
            md.append("- `").append(n.getString("id")).append("` (").append(n.getString("language")).append(", version ")
                    .append(n.getString("version")).append("): ").append(n.getString("text").replace("\n", " "))
                    .append("\n");
        }
        md.append("\n## Roles\n\n");
        JsonObject roles = register.getJsonObject("roles");
        for (String role : roles.fieldNames()) {
            md.append("- ").append(role).append(": ").append(text(roles.getValue(role))).append("\n");
        }
        md.append("\n## Configuration\n\n");
        JsonObject conf = register.getJsonObject("configuration");
        for (String key : conf.fieldNames()) {
            md.append("- ").append(key).append(": ").append(text(conf.getValue(key))).append("\n");
        }
        return md.toString();
    }

    private static String text(Object v) {
        if (v instanceof JsonArray a) {
            StringBuilder s = new StringBuilder();
            for (Object o : a) {
                s.append(s.length() == 0 ? "" : "; ").append(o);
            }
            return s.toString();
        }
        if (v instanceof JsonObject o) {
            StringBuilder s = new StringBuilder();
            for (String k : o.fieldNames()) {
                s.append(s.length() == 0 ? "" : "; ").append(k.replace('_', ' ')).append(": ").append(o.getValue(k));
            }
            return s.toString();
        }
        return String.valueOf(v);
    }
}
