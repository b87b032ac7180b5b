package dev.sessionops.claude.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.sessionops.claude.cli.ClaudeCommand;
import dev.sessionops.claude.cli.RunOptions;
import dev.sessionops.claude.cli.RunOutcome;
import dev.sessionops.claude.cli.StreamJsonParser;
import dev.sessionops.claude.cli.TokenUsage;

/** The real pinned CLI against {@link FakeAnthropicApi}, with the argv of {@link ClaudeCommand}. */
class FakeAnthropicApiCliTest {

    private static final Duration RUN_LIMIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static FakeAnthropicApi api;

    @TempDir
    Path tmp;

    record CliRun(int exitCode, String output, RunOutcome outcome, Duration took) {
    }

    @FunctionalInterface
    interface ProcessAction {
        void accept(Process process) throws Exception;
    }

    @BeforeAll
    static void startApi() throws IOException {
        api = new FakeAnthropicApi().start();
    }

    @AfterAll
    static void stopApi() {
        api.close();
    }

    @BeforeEach
    void resetApi() {
        api.reset();
    }

    @Test
    void resumeRestoresTheConversationUnderTheSameSessionId() throws Exception {
        CliRun first = run(RunOptions.builder("Hello first").build());
        assertEquals(0, first.exitCode(), first.output());
        assertTrue(first.outcome().succeeded(), first.output());
        assertEquals("Received 1 messages. Last: Hello first", first.outcome().result());
        String sessionId = first.outcome().sessionId();
        assertNotNull(sessionId);

        // a prompt that looks like an option must still arrive as the prompt
        CliRun second = run(RunOptions.builder("--second: still there?").resumeSessionId(sessionId).build());
        assertEquals(0, second.exitCode(), second.output());
        assertEquals("Received 3 messages. Last: --second: still there?", second.outcome().result());
        assertEquals(sessionId, second.outcome().sessionId());
        assertEquals(new TokenUsage(120, 30, 10, 5), second.outcome().usage());
        assertEquals(2 * second.outcome().runCostUsd(), second.outcome().costUsd(), 1e-9);

        List<FakeAnthropicApi.Request> requests = api.messageRequests();
        assertEquals(2, requests.size());
        assertEquals(3, requests.get(1).conversationLength());
    }

    /**
     * A failed turn stays in the CLI's transcript and is sent again, merged with the next prompt: an API that refused
     * it refuses every later turn. Resuming at the last good turn's assistant event leaves it out and keeps the
     * session id. {@code --resume-session-at} is not in {@code --help}: this pins it for the CLI we ship.
     */
    @Test
    void resumingAtTheLastGoodTurnLeavesAFailedPromptOut() throws Exception {
        CliRun first = run(RunOptions.builder("A good start").build());
        assertTrue(first.outcome().succeeded(), first.output());
        String sessionId = first.outcome().sessionId();
        String goodTurn = first.outcome().lastAssistantUuid();
        assertNotNull(goodTurn, first.output());

        CliRun failed = run(RunOptions.builder("[[poison 400 Refused whatever follows]]").resumeSessionId(sessionId).build());
        assertFalse(failed.outcome().succeeded(), failed.output());
        CliRun atTheEnd = run(RunOptions.builder("Carry on").resumeSessionId(sessionId).build());
        assertFalse(atTheEnd.outcome().succeeded(), "resumed at the end, the failed prompt goes again: " + atTheEnd.output());

        CliRun atTheGoodTurn = run(RunOptions.builder("Carry on").resumeSessionId(sessionId).resumeAt(goodTurn).build());
        assertTrue(atTheGoodTurn.outcome().succeeded(), atTheGoodTurn.output());
        assertEquals(sessionId, atTheGoodTurn.outcome().sessionId());
        assertEquals("Received 3 messages. Last: Carry on", atTheGoodTurn.outcome().result());
        List<FakeAnthropicApi.Request> requests = api.messageRequests();
        FakeAnthropicApi.Request last = requests.get(requests.size() - 1);
        assertTrue(last.userTexts().stream().noneMatch(t -> t.contains("poison")), last.userTexts().toString());
    }

    @Test
    void writeToolCreatesTheFileWithAcceptEdits() throws Exception {
        Path file = workspace().resolve("hello.txt");
        CliRun run = run(RunOptions.builder("[[write " + file + " Hello from Write]]")
                .permissionMode("acceptEdits")
                // rules with spaces and parentheses must neither split nor swallow the prompt
                .allowedTools(List.of("Bash(npm run test:*)", "Read"))
                .build());

        assertEquals(0, run.exitCode(), run.output());
        assertEquals("Hello from Write", Files.readString(file));
        RunOutcome outcome = run.outcome();
        assertEquals("Tool result: ok", outcome.result());
        assertEquals(2, outcome.numTurns());
        assertEquals(List.of(), outcome.permissionDenials());
        assertEquals(new TokenUsage(240, 60, 20, 10), outcome.usage());
        assertTrue(outcome.runCostUsd() > 0);
        FakeAnthropicApi.Request toolResult = api.messageRequests().get(1);
        assertFalse(toolResult.lastToolResult().path("is_error").asBoolean(false));
    }

    @Test
    void nonRetryableApiErrorFailsFastWithTheApiMessage() throws Exception {
        CliRun run = run(RunOptions.builder("[[error 400 Nope, not today]]").build());

        assertEquals(1, run.exitCode(), run.output());
        assertTrue(run.outcome().hasResult());
        assertTrue(run.outcome().isError());
        assertEquals("API Error: 400 Nope, not today", run.outcome().errorMessage());
        assertTrue(run.took().compareTo(Duration.ofSeconds(20)) < 0, "took " + run.took());
        assertFalse(run.output().contains("api_retry"), run.output());
    }

    /** [[fail-first]]: the CLI retries the 529s (each an api_retry event), then gets its answer. */
    @Test
    void failFirstMakesTheCliRetryThenAnswers() throws Exception {
        CliRun run = run(RunOptions.builder("[[fail-first 2 529 Overloaded for testing]] Then hello").build());

        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.outcome().succeeded(), run.output());
        assertEquals(3, api.messageRequests().size(), "two refused, the third answered");
        assertEquals(2, retries(run), run.output());
        assertTrue(run.output().contains("\"error_status\":529"), run.output());
        assertTrue(api.messageRequests().stream().allMatch(r -> r.sessionId().equals(run.outcome().sessionId())),
                "counted by the CLI's session id, which each request names");

        // a new conversation with the same prompt is refused again
        CliRun second = run(RunOptions.builder("[[fail-first 2 529 Overloaded for testing]] Then hello").build());
        assertTrue(second.outcome().succeeded(), second.output());
        assertEquals(2, retries(second), second.output());
    }

    private static long retries(CliRun run) {
        return run.output().lines().filter(l -> l.contains("\"subtype\":\"api_retry\"")).count();
    }

    @Test
    void answersTheOtherEndpointsLikeTheApi() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        assertEquals(200, send(http, "HEAD", "/", null).statusCode());
        assertEquals(200, send(http, "GET", "/v1/models", null).statusCode());
        HttpResponse<String> count = send(http, "POST", "/v1/messages/count_tokens", "{\"messages\":[]}");
        assertEquals("{\"input_tokens\":120}", count.body());
        HttpResponse<String> unknown = send(http, "POST", "/v1/files", "{}");
        assertEquals(404, unknown.statusCode());
        assertEquals("not_found_error", JSON.readTree(unknown.body()).at("/error/type").asText());

        String plain = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"[[sleep 300]] hi\"},"
                + "{\"role\":\"system\",\"content\":\"not a turn\"}]}";
        long start = System.nanoTime();
        JsonNode message = JSON.readTree(send(http, "POST", "/v1/messages", plain).body());
        assertTrue(System.nanoTime() - start >= 300_000_000L);
        assertEquals("Received 1 messages. Last: [[sleep 300]] hi", message.at("/content/0/text").asText());
        assertEquals("end_turn", message.path("stop_reason").asText());
        assertEquals(30, message.at("/usage/output_tokens").asInt());

        JsonNode toolUse = JSON.readTree(send(http, "POST", "/v1/messages",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"[[tool Bash {\\\"command\\\":\\\"ls\\\"}]]\"}]}").body());
        assertEquals("tool_use", toolUse.path("stop_reason").asText());
        assertEquals("Bash", toolUse.at("/content/0/name").asText());
        assertEquals("ls", toolUse.at("/content/0/input/command").asText());
        String failed = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\","
                + "\"tool_use_id\":\"t1\",\"is_error\":true,\"content\":\"boom\"}]}]}";
        assertEquals("Tool result: error: boom",
                JSON.readTree(send(http, "POST", "/v1/messages", failed).body()).at("/content/0/text").asText());

        HttpResponse<String> error = send(http, "POST", "/v1/messages?beta=true",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"[[error 413 Too big]]\"}]}");
        assertEquals(413, error.statusCode());
        assertEquals("{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"Too big\"}}",
                error.body());
        assertEquals(List.of("HEAD", "GET", "POST", "POST", "POST", "POST", "POST", "POST"),
                api.requests().stream().map(FakeAnthropicApi.Request::method).toList());
        assertEquals(4, api.messageRequests().size());
    }

    private static HttpResponse<String> send(HttpClient http, String method, String path, String body)
            throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(api.baseUrl() + path))
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body)).build();
        return http.send(request, BodyHandlers.ofString());
    }

    private Path workspace() throws IOException {
        return Files.createDirectories(tmp.resolve("workspace"));
    }

    /**
     * What stopping a message's pod does (a cancel, a deadline): the container's shell gets SIGTERM, the CLI SIGINT.
     * Interrupted in a tool, the CLI ends the turn and prints its result with the run's cost, exit 0 (measured with
     * 2.1.330; SIGTERM to the CLI itself exits 143 at once, with no result). The shell's exit status is the CLI's.
     */
    @Test
    void sigtermToTheContainersShellInterruptsTheCliGracefullyWithItsResultAndCost() throws Exception {
        // a tool that runs a minute (a long sleep the CLI refuses outright), reading only in the working directory
        String tool = "timeout 60 tail -F ./never-written";
        RunOptions options = RunOptions.builder("[[tool Bash {\"command\":\"" + tool + "\"}]]")
                .allowedTools(List.of("Bash(timeout:*)")).build();
        CliRun run = run(container(options), process -> {
            // once the tool runs (a grandchild of the shell), the pod is stopped
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (process.descendants().map(p -> p.info().commandLine().orElse(""))
                    .noneMatch(line -> line.equals(tool) || line.endsWith("/" + tool))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the tool never started");
                }
                Thread.sleep(100);
            }
            process.toHandle().destroy(); // SIGTERM to the shell only, as a container runtime signals PID 1
        });
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.took().compareTo(Duration.ofSeconds(30)) < 0, "interrupted, not waited out: " + run.took());
        assertTrue(run.outcome().hasResult(), run.output());
        assertTrue(run.outcome().runCostUsd() > 0, "the interrupted run's cost: " + run.output());
    }

    /**
     * The prompt goes by file: {@code claude -p} without a prompt argument reads its standard input to the end and
     * takes it byte for byte (no trimming), however large; a prompt that looks like an option is just text. The CLI's
     * command line never holds it (what {@code ps} in the pod shows).
     */
    @Test
    void theCliTakesThePromptFileOnStdinByteForByteAndItIsInNoCommandLine() throws Exception {
        String marker = "stdin-marker-" + System.nanoTime();
        StringBuilder big = new StringBuilder("[[sleep 1500]] --help " + marker + " $(HOME) `id` \"quoted\"\n");
        while (big.length() < 200 * 1024) {
            big.append("line ").append(big.length()).append(" é ü 漢字 {json: 1}\n");
        }
        String prompt = big.append("  trailing blanks and an empty line  \n\n").toString();
        List<String> seen = new ArrayList<>();
        CliRun run = run(container(RunOptions.builder(prompt).build()), process -> {
            // while it runs (the API sleeps first), the command lines of the shell and the CLI
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (process.descendants().noneMatch(p -> p.info().commandLine().orElse("").contains("--output-format"))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the CLI never started");
                }
                Thread.sleep(20);
            }
            seen.add(process.info().commandLine().orElse(""));
            process.descendants().forEach(p -> seen.add(p.info().commandLine().orElse("")));
        });
        assertEquals(0, run.exitCode(), run.output());
        assertEquals("Received 1 messages. Last: " + prompt, run.outcome().result());
        assertEquals(prompt, api.messageRequests().get(0).lastUserText());
        assertTrue(seen.stream().anyMatch(line -> line.contains("--output-format")), seen.toString());
        assertTrue(seen.stream().noneMatch(line -> line.contains(marker)), "the prompt in a command line: " + seen);
    }

    /** Runs the CLI the way a message's Job does: fixed cwd and config dir, stdout and stderr as one log. */
    private CliRun run(RunOptions options) throws Exception {
        return run(container(options), process -> {
        });
    }

    /** The container's command for {@code options}: its shell, with the prompt in the file it gives the CLI as stdin. */
    private List<String> container(RunOptions options) throws IOException {
        Path prompt = Files.createTempFile(tmp, "prompt", "");
        Files.writeString(prompt, options.prompt(), StandardCharsets.UTF_8);
        return ClaudeCommand.interruptible(prompt.toString(), ClaudeCommand.argv(options));
    }

    /** Runs {@code command} (the CLI's argv, perhaps in its container shell); {@code during} acts on it while it runs. */
    private CliRun run(List<String> command, ProcessAction during) throws Exception {
        List<String> argv = new ArrayList<>(command);
        // ProcessBuilder looks the executable up on this JVM's PATH, not the child's: give its full path (the
        // container shell finds claude on the child's PATH)
        if (ClaudeCommand.EXECUTABLE.equals(argv.get(0))) {
            argv.set(0, ClaudeBinary.path().toString());
        }
        Path home = Files.createDirectories(tmp.resolve("state/home"));
        Path config = Files.createDirectories(tmp.resolve("state/config"));
        Path log = Files.createTempFile(tmp, "claude", ".log");
        // stdin from /dev/null as in a pod (the container's shell gives the CLI the prompt file instead)
        ProcessBuilder builder = new ProcessBuilder(argv).directory(workspace().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.clear();
        env.putAll(Map.of(
                "PATH", ClaudeBinary.pathVariable(),
                "HOME", home.toString(),
                "CLAUDE_CONFIG_DIR", config.toString(),
                "ANTHROPIC_BASE_URL", api.baseUrl(),
                "ANTHROPIC_API_KEY", "test-key",
                "DISABLE_AUTOUPDATER", "1",
                "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1",
                "DISABLE_TELEMETRY", "1"));
        long start = System.nanoTime();
        Process process = builder.start();
        try {
            during.accept(process);
        } catch (Exception | AssertionError e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
            throw e;
        }
        if (!process.waitFor(RUN_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            fail("claude did not finish within " + RUN_LIMIT + ":\n" + Files.readString(log));
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        String output = Files.readString(log, StandardCharsets.UTF_8);
        return new CliRun(process.exitValue(), output, StreamJsonParser.parse(output), took);
    }
}
