package dev.sessionops.claude.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Local mode says what is missing before it starts, one line each. */
class PrerequisitesTest {
    @TempDir
    Path dir;

    private Path executable(String name) throws Exception {
        Path file = Files.writeString(dir.resolve(name), "#!/bin/sh\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    private LocalMode.Settings settings(Map<String, String> env, int port, String redis, Path operatorJar) {
        return new LocalMode.Settings(dir, port, redis, env, "me", operatorJar);
    }

    @Test
    void everythingThereIsNothingToSay() throws Exception {
        executable("claude");
        executable("redis-server");
        Path jar = executable("quarkus-run.jar");
        assertEquals(List.of(), Prerequisites.check(settings(Map.of("PATH", dir.toString(), "ANTHROPIC_API_KEY", "sk"), 0,
                null, jar)));
    }

    @Test
    void eachMissingPieceIsOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Prerequisites.Finding> findings = Prerequisites.check(settings(Map.of("PATH", dir.toString()),
                    taken.getLocalPort(), null, dir.resolve("missing.jar")));
            assertEquals(5, findings.size(), findings.toString());
            assertTrue(findings.get(0).text().startsWith("the packaged operator is missing"));
            assertTrue(findings.get(1).text().startsWith("claude is not on PATH"));
            assertTrue(findings.get(2).text().startsWith("redis-server is not on PATH"));
            assertTrue(findings.get(3).text().contains("is in use"));
            assertTrue(findings.get(4).text().startsWith("neither ANTHROPIC_API_KEY"));
            assertEquals(List.of(true, true, true, true, false), findings.stream().map(Prerequisites.Finding::fatal).toList(),
                    "a missing key is a warning: the rest works");
            assertTrue(findings.stream().noneMatch(f -> f.text().contains("\n")), "one line each");
        }
    }

    @Test
    void aRedisOfOnesOwnNeedsNoRedisServer() throws Exception {
        executable("claude");
        List<Prerequisites.Finding> findings = Prerequisites.check(settings(Map.of("PATH", dir.toString(),
                "CLAUDE_CODE_OAUTH_TOKEN", "t"), 0, "redis://127.0.0.1:6379", executable("quarkus-run.jar")));
        assertEquals(List.of(), findings);
    }
}
