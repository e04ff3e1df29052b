package org.consentrecorder.privacy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Operators' identities in a subject export, replaced by "operator-1", "operator-2", ... in order of
 * first appearance: the caller learns that the same (or another) employee acted, not who. Who
 * consulted or changed the data is the employees' own personal data (CJEU C-579/21); the audit
 * trail keeps the names. "caller" (the subject's own act) stays as it is.
 */
final class OperatorPseudonyms {
    static final String CALLER = "caller";
    private final Map<String, String> seen = new LinkedHashMap<>();

    String of(String identity) {
        if (identity == null || identity.equals(CALLER)) {
            return identity;
        }
        return seen.computeIfAbsent(identity, k -> "operator-" + (seen.size() + 1));
    }

    /** Replaces {@code field} in every row. */
    void replace(JsonArray rows, String field) {
        for (Object o : rows) {
            replace((JsonObject) o, field);
        }
    }

    void replace(JsonObject row, String field) {
        if (row != null && row.containsKey(field)) {
            row.put(field, of(row.getString(field)));
        }
    }

    /** A timeline entry names who acted only for an API trigger (pause, resume, operator stop). */
    void replaceTimeline(JsonArray timeline) {
        for (Object o : timeline) {
            JsonObject t = (JsonObject) o;
            if ("api".equals(t.getString("trigger_kind"))) {
                replace(t, "trigger_detail");
            }
        }
    }
}
