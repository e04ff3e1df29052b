package org.consentrecorder.admin;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A breach as a Markdown document, in the order of GDPR Art. 33(3): what happened, the data and the
 * numbers concerned, the likely consequences (the risk assessment), the measures (notification and the
 * decision on the callers), and, for a compromised account, what it reached according to the audit
 * trail. Pure: the route gathers the facts.
 */
final class BreachReport {
    private BreachReport() {
    }

    /** Free text inside a list item: one line, no Markdown structure of its own. */
    static String inline(Object value) {
        if (value == null) {
            return "—";
        }
        return value.toString().replaceAll("[\\r\\n]+", " ").replace("|", "\\|").replace("#", "\\#")
                .replace("`", "'");
    }

    static String markdown(JsonObject b, JsonObject trace) {
        StringBuilder md = new StringBuilder();
        md.append("# Personal data breach: ").append(inline(b.getString("title"))).append("\n\n");
        md.append("Breach id `").append(b.getString("id")).append("`, recorded by ").append(inline(b.getString("recorded_by")))
                .append(" at ").append(b.getString("recorded_at")).append(".\n\n");
        md.append("## Timeline\n\n");
        md.append("- Discovered: ").append(b.getString("discovered_at")).append('\n');
        md.append("- Occurred: ").append(inline(b.getString("occurred_from"))).append(" to ")
                .append(inline(b.getString("occurred_to"))).append('\n');
        md.append("- Notify the supervisory authority by: ").append(b.getString("notify_authority_by"))
                .append(" (72 hours after discovery, Art. 33(1))\n");
        md.append("- Notification status: **").append(b.getString("notification_status")).append("**\n\n");
        md.append("## What happened (Art. 33(3)(a))\n\n").append(inline(b.getString("description"))).append("\n\n");
        md.append("- Data concerned: ").append(inline(b.getString("data_affected"))).append('\n');
        md.append("- Callers concerned (approximately): ").append(inline(b.getValue("callers_affected"))).append('\n');
        md.append("- Recordings concerned (approximately): ").append(inline(b.getValue("recordings_affected"))).append('\n');
        md.append("- Compromised account: ").append(inline(b.getString("compromised_account"))).append("\n\n");
        md.append("## Likely consequences: risk assessment (Art. 33(3)(c))\n\n");
        md.append("- Risk: **").append(b.getString("risk")).append("**\n");
        md.append("- Assessment: ").append(inline(b.getString("risk_assessment"))).append("\n\n");
        md.append("## Notification of the supervisory authority (Art. 33)\n\n");
        md.append("- Notified at: ").append(inline(b.getString("authority_notified_at"))).append('\n');
        md.append("- Reference: ").append(inline(b.getString("authority_reference"))).append('\n');
        md.append("- Reasons for a delay: ").append(inline(b.getString("notification_delay_reason"))).append("\n\n");
        md.append("## Communication to the callers (Art. 34)\n\n");
        md.append("- Decision: **").append(b.getString("callers_decision")).append("**\n");
        md.append("- Reason: ").append(inline(b.getString("callers_decision_reason"))).append('\n');
        md.append("- Callers informed at: ").append(inline(b.getString("callers_informed_at"))).append("\n\n");
        if (trace != null) {
            md.append("## What the compromised account reached (from the audit trail)\n\n");
            md.append("Account ").append(inline(trace.getString("account"))).append(", from ")
                    .append(trace.getString("from")).append(" to ").append(trace.getString("to")).append(".\n\n");
            JsonArray recordings = trace.getJsonArray("recordings");
            md.append("- Recordings reached: ").append(recordings.size()).append('\n');
            md.append("- Callers reached: ").append(trace.getJsonArray("callers").size()).append('\n');
            md.append("- Lists and searches (their results are not in the audit trail; they may have shown more "
                    + "callers): ").append(trace.getLong("searches")).append('\n');
            md.append("- Refused requests: ").append(trace.getLong("refused")).append("\n\n");
            if (!recordings.isEmpty()) {
                md.append("| recording | caller | times | first | last |\n|---|---|---|---|---|\n");
                for (Object o : recordings) {
                    JsonObject r = (JsonObject) o;
                    md.append("| ").append(r.getString("id")).append(" | ").append(inline(r.getString("caller")))
                            .append(" | ").append(r.getLong("times")).append(" | ").append(r.getString("first_at"))
                            .append(" | ").append(r.getString("last_at")).append(" |\n");
                }
                md.append('\n');
            }
            JsonArray callers = trace.getJsonArray("callers");
            if (!callers.isEmpty()) {
                md.append("Callers reached (to be informed if the decision is to inform):\n\n");
                callers.forEach(c -> md.append("- ").append(inline(c)).append('\n'));
                md.append('\n');
            }
        }
        md.append("---\nThis report contains personal data: keep it with the breach register, not in tickets.\n");
        return md.toString();
    }
}
