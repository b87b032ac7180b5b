package dev.sessionops.claude.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.OptionalDouble;

import org.junit.jupiter.api.Test;

class PrometheusScrapeTest {
    private static final String TEXT = """
            # HELP cso_tokens_total Tokens used by finished Claude runs
            # TYPE cso_tokens_total counter
            cso_tokens_total{namespace="team-a",type="input",} 240.0
            cso_tokens_total{namespace="team-a",type="output",} 60.0
            cso_tokens_total{namespace="team-b",type="input",} 1.0E-4
            jvm_threads_live_threads 42.0
            odd_labels{msg="a \\"quoted\\" \\\\ value, with {braces}",x="y"} 1 1700000000000
            cso_message_duration_seconds_bucket{le="+Inf",namespace="n",} +Inf
            """;

    @Test
    void findsASeriesByNameAndASubsetOfItsLabels() {
        PrometheusScrape scrape = PrometheusScrape.parse(TEXT);
        assertEquals(OptionalDouble.of(240), scrape.value("cso_tokens_total", "namespace", "team-a", "type", "input"));
        assertEquals(OptionalDouble.of(1e-4), scrape.value("cso_tokens_total", "namespace", "team-b"));
        assertEquals(2, scrape.find("cso_tokens_total", "type", "input").size());
        assertEquals(OptionalDouble.of(42), scrape.value("jvm_threads_live_threads"));
        assertEquals(OptionalDouble.empty(), scrape.value("cso_tokens_total", "namespace", "team-c"));
        assertEquals(0, scrape.valueOrZero("cso_tokens_total", "namespace", "team-c"));
        assertTrue(scrape.hasMetricStartingWith("jvm_"));
    }

    @Test
    void severalMatchingSeriesAreAnErrorNotAGuess() {
        PrometheusScrape scrape = PrometheusScrape.parse(TEXT);
        assertThrows(IllegalArgumentException.class, () -> scrape.value("cso_tokens_total", "type", "input"));
    }

    @Test
    void labelValuesUnescapeAndTimestampsAndInfinityParse() {
        PrometheusScrape scrape = PrometheusScrape.parse(TEXT);
        var odd = scrape.find("odd_labels").get(0);
        assertEquals(Map.of("msg", "a \"quoted\" \\ value, with {braces}", "x", "y"), odd.labels());
        assertEquals(1, odd.value());
        assertEquals(Double.POSITIVE_INFINITY, scrape.value("cso_message_duration_seconds_bucket", "le", "+Inf").getAsDouble());
    }
}
