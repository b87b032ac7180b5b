package dev.sessionops.claude.api.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JobNamesTest {
    private static final Pattern DNS_1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
    private static final String LONG_253 = ("a".repeat(62) + ".").repeat(4) + "b";

    private static void assertDnsLabel(String name) {
        assertTrue(name.length() <= 63, name + " is " + name.length() + " chars");
        assertTrue(DNS_1123_LABEL.matcher(name).matches(), name + " is not a DNS-1123 label");
    }

    @Test
    void longNameFixtureIsTheMaximumObjectNameLength() {
        assertEquals(253, LONG_253.length());
    }

    @ParameterizedTest
    @ValueSource(strings = {"m", "user-api-01", "my.message.with.dots", "UPPER-case", "-leading-and-trailing-",
            "a-very-long-message-name-that-goes-on-and-on-past-the-limit-of-a-label"})
    void messageJobNamesAreDnsLabels(String name) {
        assertDnsLabel(JobNames.forMessage(name, UUID.randomUUID().toString()));
    }

    @Test
    void maximumLengthNamesFit() {
        String job = JobNames.forMessage(LONG_253, "0b6e7c52-7d1e-4a4a-9a43-0f2f3b2d9c11");
        assertDnsLabel(job);
        assertEquals(63, job.length());
        assertDnsLabel(JobNames.stateClaim(LONG_253));
    }

    @Test
    void truncationNeverLeavesADashBeforeTheHash() {
        // the 52nd character is a dot, which becomes a dash and must be trimmed
        String name = "a".repeat(51) + ".bbbb";
        String job = JobNames.forMessage(name, "uid");
        assertDnsLabel(job);
        assertTrue(job.startsWith("a".repeat(51) + "-"), job);
        assertFalse(job.contains("--"), job);
    }

    @Test
    void readablePrefixIsKept() {
        assertTrue(JobNames.forMessage("user-api-01", "u1").startsWith("user-api-01-"));
        assertTrue(JobNames.stateClaim("user-api").startsWith("user-api-state-"));
    }

    @Test
    void sameInputsGiveTheSameName() {
        assertEquals(JobNames.forMessage("user-api-01", "u1"), JobNames.forMessage("user-api-01", "u1"));
        assertEquals(JobNames.forMessage(LONG_253, "u1"), JobNames.forMessage(LONG_253, "u1"));
        assertEquals(JobNames.stateClaim(LONG_253), JobNames.stateClaim(LONG_253));
    }

    @Test
    void differentMessagesGetDifferentNamesEvenWithASharedLongPrefix() {
        String prefix = "p".repeat(200);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String name = JobNames.forMessage(prefix + "-" + i, "uid-" + i);
            assertDnsLabel(name);
            names.add(name);
        }
        assertEquals(1000, names.size());
        // same name, new object (deleted and recreated): a new Job, not the old one's leftovers
        assertNotEquals(JobNames.forMessage("m", "uid-1"), JobNames.forMessage("m", "uid-2"));
        // names that differ only past the cut or in characters that sanitize alike
        assertNotEquals(JobNames.forMessage(prefix + "a", "u"), JobNames.forMessage(prefix + "b", "u"));
        assertNotEquals(JobNames.forMessage("a.b", "u"), JobNames.forMessage("a-b", "u"));
    }

    @Test
    void stateClaimsAreDistinctPerSession() {
        String prefix = "s".repeat(200);
        assertNotEquals(JobNames.stateClaim(prefix + "1"), JobNames.stateClaim(prefix + "2"));
        assertNotEquals(JobNames.stateClaim("a.b"), JobNames.stateClaim("a-b"));
        assertDnsLabel(JobNames.stateClaim("My.Session"));
    }

    @Test
    void labelValuesKeepShortNamesAndShortenLongOnes() {
        assertEquals("user-api", JobNames.labelValue("user-api"));
        assertEquals("a.b.c", JobNames.labelValue("a.b.c"));
        String shortened = JobNames.labelValue(LONG_253);
        assertTrue(shortened.length() <= 63);
        assertTrue(LABEL_VALUE.matcher(shortened).matches(), shortened);
        assertEquals(shortened, JobNames.labelValue(LONG_253));
        assertNotEquals(shortened, JobNames.labelValue(LONG_253.substring(0, 252) + "c"));
    }
}
