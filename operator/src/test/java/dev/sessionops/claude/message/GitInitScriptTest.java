package dev.sessionops.claude.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/** Runs the real git-init script with sh and git against local repositories. */
class GitInitScriptTest {
    /** The remote is only read, so all tests share one. */
    @TempDir
    static Path shared;
    static Path remote;
    @TempDir
    Path tmp;
    Path workspace;

    record Result(int exit, String output) {
    }

    @BeforeAll
    static void createRemote() throws Exception {
        Path source = shared.resolve("source");
        git(shared, "init", "-q", "-b", "main", source.toString());
        commit(source, "README.md", "v1\n");
        git(source, "tag", "v1");
        git(source, "checkout", "-q", "-b", "dev");
        commit(source, "dev.txt", "dev work\n");
        git(source, "checkout", "-q", "main");
        commit(source, "README.md", "v2\n");
        remote = shared.resolve("remote.git");
        git(shared, "clone", "-q", "--bare", source.toString(), remote.toString());
        git(remote, "update-server-info");
    }

    @BeforeEach
    void createWorkspace() throws IOException {
        workspace = Files.createDirectories(tmp.resolve("workspace"));
    }

    private static void commit(Path source, String file, String content) throws Exception {
        Files.writeString(source.resolve(file), content);
        git(source, "add", file);
        git(source, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", file + content);
    }

    private static String git(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git", "-C", dir.toString()));
        command.addAll(List.of(args));
        Result r = exec(shared, command, Map.of());
        assertEquals(0, r.exit(), String.join(" ", command) + ": " + r.output());
        return r.output().strip();
    }

    /** Runs with a minimal environment and a HOME of its own, so no user or system git config leaks in. */
    private static Result exec(Path cwd, List<String> command, Map<String, String> extraEnv) throws Exception {
        Path home = Files.createDirectories(cwd.resolve("home"));
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", System.getenv("PATH"));
        env.put("HOME", home.toString());
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_TERMINAL_PROMPT", "0");
        env.putAll(extraEnv);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + command);
        return new Result(p.exitValue(), out);
    }

    private Result init(String repository, String branch, String baseRef, Map<String, String> more) throws Exception {
        Map<String, String> env = new HashMap<>(more);
        env.put(GitInit.ENV_DIR, workspace.toString());
        env.put(GitInit.ENV_REPOSITORY, repository);
        if (branch != null) env.put(GitInit.ENV_BRANCH, branch);
        if (baseRef != null) env.put(GitInit.ENV_BASE_REF, baseRef);
        return exec(tmp, List.of("/bin/sh", "-c", GitInit.SCRIPT), env);
    }

    private Result init(String branch, String baseRef) throws Exception {
        return init(remote.toString(), branch, baseRef, Map.of());
    }

    private String head() throws Exception {
        return git(workspace, "rev-parse", "--abbrev-ref", "HEAD");
    }

    private String commitOf(String rev) throws Exception {
        return git(workspace, "rev-parse", rev);
    }

    private List<String> workspaceEntries() throws IOException {
        try (Stream<Path> s = Files.list(workspace)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    @Test
    void withoutBranchClonesTheDefaultBranch() throws Exception {
        Result r = init(null, null);
        assertEquals(0, r.exit(), r.output());
        assertEquals("main", head());
        assertEquals("v2\n", Files.readString(workspace.resolve("README.md")));
    }

    @Test
    void checksOutABranchTheRemoteHasAndTracksIt() throws Exception {
        Result r = init("dev", "main");
        assertEquals(0, r.exit(), r.output());
        assertEquals("dev", head());
        assertTrue(Files.exists(workspace.resolve("dev.txt")));
        assertEquals("origin/dev", git(workspace, "rev-parse", "--abbrev-ref", "dev@{upstream}"));
    }

    @Test
    void branchThatIsTheDefaultBranchWorksToo() throws Exception {
        Result r = init("main", null);
        assertEquals(0, r.exit(), r.output());
        assertEquals("main", head());
    }

    @Test
    void createsAMissingBranchFromBaseRef() throws Exception {
        Result r = init("feature/validation", "dev");
        assertEquals(0, r.exit(), r.output());
        assertEquals("feature/validation", head());
        assertEquals(commitOf("origin/dev"), commitOf("HEAD"));
    }

    @Test
    void baseRefMayBeATag() throws Exception {
        Result r = init("hotfix", "v1");
        assertEquals(0, r.exit(), r.output());
        assertEquals("hotfix", head());
        assertEquals(commitOf("v1^{commit}"), commitOf("HEAD"));
    }

    @Test
    void createsAMissingBranchFromTheDefaultBranchWithoutBaseRef() throws Exception {
        Result r = init("feature/x", null);
        assertEquals(0, r.exit(), r.output());
        assertEquals("feature/x", head());
        assertEquals(commitOf("origin/main"), commitOf("HEAD"));
    }

    @Test
    void emptyRemoteGivesAnUnbornBranch() throws Exception {
        Path empty = tmp.resolve("empty.git");
        git(tmp, "init", "-q", "--bare", empty.toString());
        Result r = init(empty.toString(), "feature/x", null, Map.of());
        assertEquals(0, r.exit(), r.output());
        assertEquals("refs/heads/feature/x", git(workspace, "symbolic-ref", "HEAD"));
    }

    @Test
    void laterJobsLeaveTheCheckoutAlone() throws Exception {
        assertEquals(0, init("feature/x", "dev").exit());
        Files.writeString(workspace.resolve("work-in-progress.txt"), "claude wrote this");
        String before = commitOf("HEAD");

        Result again = init("something-else", "main");

        assertEquals(0, again.exit(), again.output());
        assertTrue(again.output().contains("already holds a checkout"), again.output());
        assertEquals("feature/x", head());
        assertEquals(before, commitOf("HEAD"));
        assertEquals("claude wrote this", Files.readString(workspace.resolve("work-in-progress.txt")));
    }

    @Test
    void failedFirstCloneLeavesAnEmptyWorkspaceSoTheNextJobRetries() throws Exception {
        Result bad = init("feature/x", "no-such-ref");
        assertNotEquals(0, bad.exit());
        assertTrue(bad.output().contains("baseRef \"no-such-ref\" is neither a branch nor a tag"), bad.output());
        assertEquals(List.of(), workspaceEntries());

        Result good = init("feature/x", "dev");
        assertEquals(0, good.exit(), good.output());
        assertEquals("feature/x", head());
    }

    @Test
    void unreachableRepositoryFailsCleanly() throws Exception {
        Result r = init(tmp.resolve("nowhere.git").toString(), null, null, Map.of());
        assertNotEquals(0, r.exit());
        assertEquals(List.of(), workspaceEntries());
    }

    @Test
    void refusesToCloneOverFilesThatAreNotACheckout() throws Exception {
        Files.writeString(workspace.resolve("notes.txt"), "keep me");
        Result r = init(null, null);
        assertEquals(1, r.exit());
        assertTrue(r.output().contains("not empty"), r.output());
        assertEquals("keep me", Files.readString(workspace.resolve("notes.txt")));
    }

    @Test
    void hostileValuesAreOnlyData() throws Exception {
        List<Result> results = List.of(
                init("x$(touch PWNED1)`touch PWNED2`", null),
                init("-b", "main"),
                init("ok", "main; touch PWNED3"),
                init("ok2", "$(touch PWNED4)"),
                init("'; touch PWNED5; '", null, null, Map.of()),
                init("--upload-pack=touch PWNED6", null, null, Map.of()));
        for (Result r : results) {
            assertNotEquals(0, r.exit(), r.output());
        }
        assertNoPwnedFiles();
    }

    @Test
    void credentialsComeFromTheEnvironmentThroughTheHelper() throws Exception {
        String password = "p@ss w0rd\\n$(touch PWNED)'\"";
        HttpServer server = dumbHttpServer("alice", password);
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/remote.git";

            Result denied = init(url, null, null, Map.of());
            assertNotEquals(0, denied.exit(), denied.output());
            assertEquals(List.of(), workspaceEntries());

            Result wrong = init(url, null, null, Map.of(GitInit.ENV_USERNAME, "alice", GitInit.ENV_PASSWORD, "nope"));
            assertNotEquals(0, wrong.exit(), wrong.output());

            Result ok = init(url, "dev", null, Map.of(GitInit.ENV_USERNAME, "alice", GitInit.ENV_PASSWORD, password));
            assertEquals(0, ok.exit(), ok.output());
            assertEquals("dev", head());
            String config = Files.readString(workspace.resolve(".git/config"));
            assertFalse(config.contains("w0rd") || config.contains("alice") || config.contains("credential"), config);
            assertFalse(ok.output().contains("w0rd"), ok.output());
        } finally {
            server.stop(0);
        }
        assertNoPwnedFiles();
    }

    private void assertNoPwnedFiles() throws IOException {
        for (Path root : List.of(tmp, shared)) {
            try (Stream<Path> files = Files.walk(root)) {
                assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith("PWNED")), "a value was executed");
            }
        }
    }

    /** Serves the bare remote over git's dumb HTTP protocol behind basic auth. */
    private HttpServer dumbHttpServer(String user, String password) throws IOException {
        String expected = "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/remote.git/", exchange -> serve(exchange, expected));
        server.start();
        return server;
    }

    private void serve(HttpExchange exchange, String expectedAuth) throws IOException {
        try (exchange) {
            if (!expectedAuth.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            String relative = exchange.getRequestURI().getPath().substring("/remote.git/".length());
            Path file = remote.resolve(relative).normalize();
            if (!file.startsWith(remote) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            byte[] body = Files.readAllBytes(file);
            exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
