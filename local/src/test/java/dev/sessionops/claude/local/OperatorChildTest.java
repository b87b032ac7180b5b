package dev.sessionops.claude.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the packaged operator gets from local mode: no model credentials, the Redis password never in argv. */
class OperatorChildTest {

    @Test
    void theOperatorsEnvironmentHasNoModelCredentialsAndCarriesTheSecrets() {
        Map<String, String> env = OperatorChild.environment(
                Map.of("PATH", "/usr/bin", "ANTHROPIC_API_KEY", "sk-ant", "CLAUDE_CODE_OAUTH_TOKEN", "t",
                        "ANTHROPIC_AUTH_TOKEN", "a"),
                Map.of("QUARKUS_REDIS_HOSTS", "redis://:pw@127.0.0.1:6379"));
        assertEquals(Map.of("PATH", "/usr/bin", "QUARKUS_REDIS_HOSTS", "redis://:pw@127.0.0.1:6379"), env);
    }

    @Test
    void theCommandCarriesOnlyThePlainSettings(@TempDir Path dir) throws Exception {
        Path jar = Files.createFile(dir.resolve("quarkus-run.jar"));
        List<String> command = OperatorChild.command(jar, Map.of("quarkus.http.host", "127.0.0.1"));
        assertTrue(command.contains("-Dquarkus.http.host=127.0.0.1"), command.toString());
        assertEquals(List.of("-jar", jar.toAbsolutePath().toString()), command.subList(command.size() - 2, command.size()));
        assertFalse(String.join(" ", command).contains("redis"), command.toString());
    }

    @Test
    void aMissingOperatorBuildSaysHowToMakeIt(@TempDir Path dir) {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> OperatorChild.command(dir.resolve("nope.jar"), Map.of()));
        assertTrue(e.getMessage().contains("./mvnw -q package -DskipTests"), e.getMessage());
    }

    @Test
    void theCommandLineTakesPortHomeAndOperator() {
        LocalArgs all = LocalArgs.parse(List.of("--port", "6443", "--home", "/tmp/cso", "--operator", "/x/quarkus-run.jar"));
        assertEquals(new LocalArgs(Path.of("/x/quarkus-run.jar"), 6443, Path.of("/tmp/cso"), false), all);
        assertEquals(new LocalArgs(null, null, null, false), LocalArgs.parse(List.of()));
        assertTrue(LocalArgs.parse(List.of("--home", "/h", "--help")).help());
        for (List<String> bad : List.of(List.of("--operator"), List.of("--port", "0"), List.of("--port", "65536"),
                List.of("--port", "http"), List.of("--home", "--port", "1"), List.of("--home", " "))) {
            assertThrows(IllegalArgumentException.class, () -> LocalArgs.parse(bad), bad.toString());
        }
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> LocalArgs.parse(List.of("x".repeat(10_000))));
        assertTrue(unknown.getMessage().length() < 200, "a hostile argument is not echoed whole");
        assertTrue(unknown.getMessage().contains(LocalArgs.USAGE));
    }
}
