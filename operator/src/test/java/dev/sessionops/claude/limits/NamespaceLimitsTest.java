package dev.sessionops.claude.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.sessionops.claude.message.RunPolicy;

import org.junit.jupiter.api.Test;

class NamespaceLimitsTest {
    private static final RunPolicy CHART = new RunPolicy(List.of(), List.of(), List.of(), Optional.of(5.0), Optional.of(50),
            Optional.of(Duration.ofHours(1)));

    @Test
    void annotationsAreReadAndOnlyEverLowerTheOperatorsCeilings() {
        NamespaceLimits team = NamespaceLimits.of(Map.of(NamespaceLimits.MAX_BUDGET_USD, "2.5", NamespaceLimits.MAX_TURNS, "100",
                NamespaceLimits.MAX_TIMEOUT, "20m", "unrelated", "x"));
        assertEquals(List.of(), team.problems());
        RunPolicy tightened = CHART.tightenedBy(team);
        assertEquals(Optional.of(2.5), tightened.maxBudgetUsd(), "lower than the chart's: the team's");
        assertEquals(Optional.of(50), tightened.maxTurns(), "higher than the chart's: the chart's holds");
        assertEquals(Optional.of(Duration.ofMinutes(20)), tightened.maxTimeout());

        RunPolicy open = new RunPolicy(List.of(), List.of(), List.of(), Optional.empty(), Optional.empty(), Optional.empty());
        assertEquals(Optional.of(100), open.tightenedBy(team).maxTurns(), "no chart ceiling: the team's");
    }

    @Test
    void noAnnotationsChangeNothing() {
        assertSame(NamespaceLimits.NONE, NamespaceLimits.of(null));
        assertSame(NamespaceLimits.NONE, NamespaceLimits.of(Map.of()));
        assertSame(CHART, CHART.tightenedBy(NamespaceLimits.of(Map.of("team", "blue"))));
    }

    @Test
    void aMalformedValueFailsClosedNamingTheAnnotation() {
        for (var bad : List.of(Map.entry(NamespaceLimits.MAX_BUDGET_USD, "lots"), Map.entry(NamespaceLimits.MAX_TURNS, "0"),
                Map.entry(NamespaceLimits.MAX_TIMEOUT, "soon"), Map.entry(NamespaceLimits.MAX_BUDGET_USD, "NaN"),
                Map.entry(NamespaceLimits.MAX_BUDGET_USD, "-1"))) {
            NamespaceLimits limits = NamespaceLimits.of(Map.of(bad.getKey(), bad.getValue()));
            assertEquals(1, limits.problems().size(), bad.toString());
            assertTrue(limits.problems().get(0).contains(bad.getKey() + "=" + bad.getValue()), limits.problems().get(0));
        }
        String huge = "9".repeat(10_000);
        String problem = NamespaceLimits.of(Map.of(NamespaceLimits.MAX_TURNS, huge)).problems().get(0);
        assertTrue(problem.length() < 300, "a hostile value is not echoed whole: " + problem.length());
    }
}
