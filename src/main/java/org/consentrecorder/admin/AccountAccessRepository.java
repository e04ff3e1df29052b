package org.consentrecorder.admin;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What an operator account (or API token) was served in a time window, from the audit trail: for a
 * compromised account, the recordings and callers it reached (GDPR Art. 33(3)(a): the categories and
 * approximate numbers of data subjects and records concerned). Only rows that served something count
 * ({@code allowed}, {@code ok}); refusals are counted apart.
 */
public final class AccountAccessRepository {
    private final Pool pool;

    public AccountAccessRepository(Pool pool) {
        this.pool = pool;
    }

    /** One thing the account reached: its type and id, the caller behind it (if still known), how often and when. */
    public record Reached(String targetType, String targetId, String caller, long times, Instant first, Instant last) {
    }

    /** Everything reached, and the requests that were lists or searches (their results are not in the audit trail). */
    public record Trace(List<Reached> reached, long searches, long refused) {
    }

    public Future<Trace> trace(String account, Instant from, Instant to) {
        Tuple window = Tuple.of(account, CallSearchRepository.ts(from), CallSearchRepository.ts(to));
        Future<List<Reached>> reached = pool.preparedQuery("select a.target_type, a.target_id, count(*) as times, "
                        + "min(a.at) as first_at, max(a.at) as last_at, case a.target_type "
                        + "when 'recording' then (select r.subject from recording r where r.id::text = a.target_id) "
                        + "when 'call' then (select c.caller_subject from call c where c.id::text = a.target_id) "
                        + "when 'subject' then (select p.subject from subject_pseudonym p where p.pseudonym = a.target_id) "
                        + "when 'privacy_request' then (select q.subject from privacy_request q where q.id::text = a.target_id) "
                        + "end as caller from audit_log a where a.actor_name = $1 and a.at >= $2 and a.at < $3 "
                        + "and a.outcome in ('allowed', 'ok') and a.target_id is not null "
                        + "and a.target_type in ('recording', 'call', 'subject', 'privacy_request') "
                        + "group by a.target_type, a.target_id order by min(a.at)")
                .execute(window)
                .map(rows -> {
                    List<Reached> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new Reached(r.getString("target_type"), r.getString("target_id"), r.getString("caller"),
                                r.getLong("times"), CallSearchRepository.instant(r, "first_at"),
                                CallSearchRepository.instant(r, "last_at")));
                    }
                    return out;
                });
        Future<Row> counts = pool.preparedQuery("select count(*) filter (where outcome in ('allowed', 'ok') "
                        + "and target_id is null) as searches, count(*) filter (where outcome like 'rejected%' "
                        + "or outcome = 'denied') as refused from audit_log where actor_name = $1 and at >= $2 and at < $3")
                .execute(window)
                .map(rows -> rows.iterator().next());
        return Future.all(reached, counts).map(all -> new Trace(reached.result(),
                counts.result().getLong("searches"), counts.result().getLong("refused")));
    }
}
