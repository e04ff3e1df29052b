package org.consentrecorder.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The reader of metric names that DeployedQueries relies on. */
class PromQlTest {
    @Test
    void findsTheMetricsAndNothingElse() {
        assertEquals(Set.of("a_bucket"), PromQl.metricNames(
                "histogram_quantile(0.99, sum by (le, operation) (rate(a_bucket{status!=\"2xx\",x=~\"y|z\"}[$__rate_interval])))"));
        assertEquals(Set.of("x_total", "y"), PromQl.metricNames("sum(increase(x_total[24h])) / on (instance) group_left y"));
        assertEquals(Set.of("ts_seconds"), PromQl.metricNames("time() - max(ts_seconds) > 26 * 3600"));
        assertEquals(Set.of("up"), PromQl.metricNames("up{job=\"consent-recorder\"} == 0"));
        assertEquals(Set.of("m"), PromQl.metricNames("max without (kind) (m) > 1e3 and bool m"));
    }
}
