package dev.sessionops.claude.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class EventFollowerPauseTest {

    @Test
    void aRunWhosePodHasNotStartedIsLookedAtLessAndLessOftenUpToThreeSeconds() {
        assertEquals(Duration.ofMillis(300), EventFollower.pauseAfter(0), "a running pod: its log reopened soon");
        assertEquals(Duration.ofMillis(300), EventFollower.pauseAfter(1));
        assertEquals(Duration.ofMillis(600), EventFollower.pauseAfter(2));
        assertEquals(Duration.ofMillis(1200), EventFollower.pauseAfter(3));
        assertEquals(Duration.ofMillis(2400), EventFollower.pauseAfter(4));
        assertEquals(Duration.ofSeconds(3), EventFollower.pauseAfter(5));
        assertEquals(Duration.ofSeconds(3), EventFollower.pauseAfter(10_000), "no overflow however long it waits");
        // over a minute of waiting: about 23 looks instead of 200
        long looks = 0;
        long waited = 0;
        while (waited < 60_000) {
            waited += EventFollower.pauseAfter((int) ++looks).toMillis();
        }
        assertEquals(23, looks);
    }
}
