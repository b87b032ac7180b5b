package dev.sessionops.claude.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What local mode needs before it starts anything, checked at once so a new user reads every missing piece in one go,
 * one line each: the packaged operator, {@code claude} and {@code redis-server} on PATH (unless Redis is given), the
 * API port free when one is fixed; a missing key or token is a warning (runs would fail, the rest works).
 */
final class Prerequisites {
    /** One finding; {@code fatal}: local mode cannot start. */
    record Finding(boolean fatal, String text) {
    }

    private Prerequisites() {
    }

    static List<Finding> check(LocalMode.Settings settings) {
        List<Finding> findings = new ArrayList<>();
        Map<String, String> env = settings.env();
        if (settings.operatorJar() == null || !Files.isRegularFile(settings.operatorJar())) {
            findings.add(new Finding(true, "the packaged operator is missing (" + settings.operatorJar()
                    + "): build it with ./mvnw -q package -DskipTests, or pass --operator <quarkus-run.jar>"));
        }
        if (onPath(env, "claude").isEmpty()) {
            findings.add(new Finding(true, "claude is not on PATH: install the pinned CLI with ./scripts/install-test-deps.sh "
                    + "and add .tools/claude/node_modules/.bin to PATH (or npm install -g @anthropic-ai/claude-code)"));
        }
        boolean ownRedis = settings.redisUrl() == null || settings.redisUrl().isBlank();
        if (ownRedis && onPath(env, "redis-server").isEmpty()) {
            findings.add(new Finding(true, "redis-server is not on PATH: install it (apt-get install redis-server) or set "
                    + "QUARKUS_REDIS_HOSTS to a Redis of your own"));
        }
        if (settings.apiPort() != 0 && !free(settings.apiPort())) {
            findings.add(new Finding(true, "port " + settings.apiPort() + " (CSO_LOCAL_API_PORT) is in use on 127.0.0.1"));
        }
        if (blank(env.get("ANTHROPIC_API_KEY")) && blank(env.get("CLAUDE_CODE_OAUTH_TOKEN"))) {
            findings.add(new Finding(false, "neither ANTHROPIC_API_KEY nor CLAUDE_CODE_OAUTH_TOKEN is set: runs will fail "
                    + "until a session names a credentials Secret"));
        }
        return findings;
    }

    /** The executable's path, looked up in the PATH of {@code env}. */
    static Optional<Path> onPath(Map<String, String> env, String name) {
        for (String dir : env.getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
