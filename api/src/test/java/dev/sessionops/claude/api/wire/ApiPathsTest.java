package dev.sessionops.claude.api.wire;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The syntax a path and its parameters must have before anything looks them up. */
class ApiPathsTest {
    private static final String NS = ApiPaths.BASE + "/namespaces/";

    @Test
    void plainKubernetesNamesPass() {
        for (String path : new String[] {ApiPaths.BASE, NS + "team-a/sessions", NS + "team-a/sessions/chat.v2/history",
                NS + "a/messages/m-01/log"}) {
            assertNull(ApiPaths.syntaxProblem(path), path);
        }
    }

    @Test
    void encodedDottedEmptyNonAsciiAndOverlongPathsAreRefused() {
        for (String path : new String[] {NS + "team-a%2Fsessions/x", NS + "team-a%2fsessions", NS + "a%23/sessions",
                NS + "../kube-system/sessions", NS + "./sessions", NS + "%2e%2e/sessions", NS + "a/sessions/%2E",
                NS + "/sessions", NS + "a//sessions", NS + "a/sessions/", NS + "caf\u00e9/sessions", NS + "caf%C3%A9/sessions",
                NS + "Team-A/sessions", NS + "a/sessions/x;y", NS + "a b/sessions", NS + "-a/sessions",
                NS + "a".repeat(1100) + "/sessions", "", "apis", NS + "a/sessions?x", NS + "a\u0000/sessions"}) {
            String problem = ApiPaths.syntaxProblem(path);
            assertNotNull(problem, path);
            assertTrue(problem.length() < 200, problem);
        }
    }

    @Test
    void namespacesAreLabelsAndNamesAreSubdomains() {
        assertNull(ApiPaths.namespaceProblem("team-a"));
        assertNull(ApiPaths.namespaceProblem("a".repeat(63)));
        for (String bad : new String[] {"a".repeat(64), "team.a", "-a", "a-", "A", "", "a/b", "a#", ".."}) {
            assertNotNull(ApiPaths.namespaceProblem(bad), bad);
        }
        assertNull(ApiPaths.nameProblem("chat.v2"));
        assertNull(ApiPaths.nameProblem("a".repeat(253)));
        for (String bad : new String[] {"a".repeat(254), "a..b", ".a", "a.", "A", "", "a/b", "a#", "..", "caf\u00e9"}) {
            assertNotNull(ApiPaths.nameProblem(bad), bad);
        }
    }

    @Test
    void hostileValuesAreEchoedShortAndEscaped() {
        String echoed = ApiPaths.printable("\u001b[31m\"evil\"" + "x".repeat(500));
        assertTrue(echoed.length() < 120, echoed);
        assertTrue(!echoed.contains("\u001b") && !echoed.contains("\""), echoed);
    }
}
