package dev.sessionops.claude.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.sessionops.claude.api.runner.PodLayout;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.events.EventFollower;
import dev.sessionops.claude.history.ConversationKey;
import dev.sessionops.claude.history.HistoryEntry;
import dev.sessionops.claude.testing.RealRedis;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;

/**
 * A run that printed 50 MB is recorded by an operator whose whole heap is {@value #HEAP}: the log is parsed as it
 * arrives, never held (it would take more than twice that as one String). Its result, longer than a status keeps, is
 * cut in the status and whole in Redis (within the history's cap of a reply); a line longer than a log line may be is
 * skipped, not fatal.
 * <p>
 * The operator's side runs in a JVM of its own ({@link LargeLogRecording}), so its heap is the bound; the API server
 * is a mock in this JVM, Redis a real redis-server.
 */
@EnableKubernetesMockClient(crud = true)
class LargeLogRecordingIT {
    static final String HEAP = "-Xmx64m";
    private static final String NS = "big";
    private static final String POD = "big-run-pod";
    private static final int LOG_BYTES = 50 << 20;
    private static final int RESULT_CHARS = 600_000;

    static KubernetesMockServer server;
    static KubernetesClient client;

    @RegisterExtension
    static final RealRedis REDIS = new RealRedis();

    @Test
    void aFiftyMegabyteLogIsRecordedWithinASmallHeap() throws Exception {
        String result = "The answer, at length. " + "r".repeat(RESULT_CHARS - 23);
        String log = log(result);
        assertTrue(log.length() >= LOG_BYTES, "a log of " + log.length() + " bytes");
        server.expect().get().withPath("/api/v1/namespaces/" + NS + "/pods/" + POD + "/log?container=" + PodLayout.CONTAINER)
                .andReturn(200, log).always();

        Path out = Files.createTempFile("large-log", ".out");
        // the collector the chart gives the operator (jvmOptions); under G1 a heap this small, where a long line's
        // buffers take whole regions, once ran out while this machine was loaded
        Process operator = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), HEAP,
                "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
                LargeLogRecording.class.getName(), client.getMasterUrl().toString(), REDIS.uri(), NS, POD)
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            boolean ended = operator.waitFor(180, TimeUnit.SECONDS);
            String output = Files.readString(out);
            assertTrue(ended, "the recording ended within 3 minutes: " + tail(output));
            assertEquals(0, operator.exitValue(), "the operator's JVM (" + HEAP + ") recorded the run: " + tail(output));
            System.out.println("a 50 MB log recorded with " + HEAP + ": " + output.lines()
                    .filter(l -> l.startsWith("heap: ")).toList());
        } finally {
            operator.destroy();
            if (!operator.waitFor(5, TimeUnit.SECONDS)) {
                operator.destroyForcibly();
            }
            Files.deleteIfExists(out);
        }

        ClaudeMessage message = client.resources(ClaudeMessage.class).inNamespace(NS).withName(LargeLogRecording.MESSAGE).get();
        assertEquals(MessagePhase.Succeeded, message.getStatus().getPhase());
        assertEquals(Boolean.TRUE, message.getStatus().getResultTruncated());
        assertEquals(result.substring(0, 4096), message.getStatus().getResult(), "the status keeps the start");

        List<HistoryEntry> history = REDIS.client().history().history(ConversationKey.oneShot(message), 0, 10);
        assertEquals(2, history.size(), "the prompt and the reply: " + history);
        assertEquals(result, history.get(1).content(), "the whole reply in Redis");
        // the live events end with the result (appended from the log's tail: no follower saw the pod start)
        var last = REDIS.dataSource().execute("XREVRANGE", EventFollower.keyOf(message), "+", "-", "COUNT", "1");
        assertTrue(last.get(0).get(1).toString().contains("result"), "the last event is the result: " + last);
    }

    /**
     * About 50 MB as the CLI prints it: its real init line, then tool calls whose results are large file reads, one
     * tool result too long to be a line the operator reads, the reply and the result event (a real one, with a long
     * result).
     */
    private static String log(String result) throws IOException {
        List<String> fixture = fixture("text").lines().toList();
        ObjectMapper json = new ObjectMapper();
        StringBuilder log = new StringBuilder(LOG_BYTES + (4 << 20));
        log.append(fixture.get(0)).append('\n');
        String content = "x".repeat(20_000);
        for (int i = 0; log.length() < LOG_BYTES; i++) {
            log.append("{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_").append(i)
                    .append("\",\"name\":\"Read\",\"input\":{\"file_path\":\"f").append(i).append("\"}}]},\"parent_tool_use_id\":null}\n");
            log.append("{\"type\":\"user\",\"message\":{\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_").append(i)
                    .append("\",\"content\":\"").append(content).append("\"}]},\"parent_tool_use_id\":null}\n");
            if (i == 100) {
                log.append("{\"type\":\"user\",\"message\":{\"content\":[{\"type\":\"tool_result\",\"content\":\"")
                        .append("y".repeat(3 << 20)).append("\"}]}}\n");
            }
        }
        log.append(fixture.get(1)).append('\n');
        ObjectNode resultEvent = (ObjectNode) json.readTree(fixture.get(fixture.size() - 1));
        resultEvent.put("result", result);
        log.append(json.writeValueAsString(resultEvent)).append('\n');
        return log.toString();
    }

    private static String fixture(String name) throws IOException {
        try (InputStream in = LargeLogRecordingIT.class.getResourceAsStream("/fixtures/stream-json/" + name + ".jsonl")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String tail(String output) {
        return output.length() > 4000 ? output.substring(output.length() - 4000) : output;
    }
}
