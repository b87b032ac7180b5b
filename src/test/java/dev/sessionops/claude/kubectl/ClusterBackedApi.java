package dev.sessionops.claude.kubectl;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.sessionops.claude.Labels;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.history.ConversationKey;
import dev.sessionops.claude.history.ConversationSummary;
import dev.sessionops.claude.history.HistoryEntry;
import dev.sessionops.claude.history.HistoryStore;
import dev.sessionops.claude.message.PodLayout;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The {@link OperatorApiStub}'s data from the harness's real state: the custom resources on the mock API server,
 * the history in the real Redis (through the operator's own {@link HistoryStore}), and events from the Job's pod
 * log as the local kubelet captures it from the real claude CLI. Until branch {@code http} lands, this is what the
 * CLI's API-using commands are tested against.
 */
final class ClusterBackedApi implements OperatorApiStub.Backend {
    private static final Duration EVENTS_TIMEOUT = Duration.ofSeconds(120);

    private final KubernetesClient client;
    private final HistoryStore history;

    ClusterBackedApi(KubernetesClient client, HistoryStore history) {
        this.client = client;
        this.history = history;
    }

    @Override
    public List<ObjectNode> sessions(String ns) {
        return client.resources(ClaudeSession.class).inNamespace(ns).list().getItems().stream()
                .map(s -> info(ns, s)).toList();
    }

    private ObjectNode info(String ns, ClaudeSession s) {
        ConversationSummary sum = history.summary(ConversationKey.session(ns, s.getMetadata().getName()));
        ObjectNode n = OperatorApiStub.JSON.createObjectNode();
        n.put("name", s.getMetadata().getName());
        n.put("created", sum.created() != null ? sum.created() : s.getMetadata().getCreationTimestamp());
        n.put("lastActive", sum.lastActive());
        n.put("messageCount", sum.messageCount());
        n.put("currentSessionId", sum.currentSessionId());
        return n;
    }

    @Override
    public Optional<ObjectNode> session(String ns, String name) {
        ClaudeSession s = client.resources(ClaudeSession.class).inNamespace(ns).withName(name).get();
        if (s == null) {
            return Optional.empty();
        }
        ConversationSummary sum = history.summary(ConversationKey.session(ns, name));
        ObjectNode n = info(ns, s);
        n.put("phase", s.getStatus() == null || s.getStatus().getPhase() == null ? null : s.getStatus().getPhase().name());
        ArrayNode chain = n.putArray("sessionChain");
        sum.chain().forEach(chain::add);
        n.put("totalCostUsd", sum.totalCostUsd());
        n.putObject("usage").put("inputTokens", sum.inputTokens()).put("outputTokens", sum.outputTokens())
                .put("cacheCreationInputTokens", sum.cacheCreationInputTokens())
                .put("cacheReadInputTokens", sum.cacheReadInputTokens());
        ArrayNode names = n.putArray("messages");
        client.resources(ClaudeMessage.class).inNamespace(ns).list().getItems().stream()
                .filter(m -> m.getSpec().getSessionRef() != null && name.equals(m.getSpec().getSessionRef().getName()))
                .sorted(Comparator.comparing(m -> m.getMetadata().getCreationTimestamp()))
                .forEach(m -> names.add(m.getMetadata().getName()));
        return Optional.of(n);
    }

    @Override
    public Optional<List<ObjectNode>> history(String ns, String name) {
        if (client.resources(ClaudeSession.class).inNamespace(ns).withName(name).get() == null) {
            return Optional.empty();
        }
        return Optional.of(history.history(ConversationKey.session(ns, name), 0, -1).stream().map(ClusterBackedApi::entry)
                .toList());
    }

    static ObjectNode entry(HistoryEntry e) {
        return OperatorApiStub.JSON.createObjectNode().put("role", e.role()).put("content", e.content())
                .put("timestamp", e.timestamp()).put("sessionId", e.sessionId());
    }

    @Override
    public Optional<ObjectNode> message(String ns, String name) {
        ClaudeMessage m = client.resources(ClaudeMessage.class).inNamespace(ns).withName(name).get();
        if (m == null) {
            return Optional.empty();
        }
        ObjectNode n = OperatorApiStub.JSON.createObjectNode();
        var st = m.getStatus();
        n.put("name", name);
        n.put("session", m.getSpec().getSessionRef() == null ? null : m.getSpec().getSessionRef().getName());
        n.put("phase", st == null || st.getPhase() == null ? null : st.getPhase().name());
        n.put("prompt", m.getSpec().getPrompt());
        n.put("sessionId", st == null ? null : st.getSessionId());
        n.put("result", st == null ? null : st.getResult());
        return Optional.of(n);
    }

    /** Polls the pod log: every complete stream-json line becomes an event with id {@code <line>-0}. */
    @Override
    public void events(String ns, String name, String lastEventId, OperatorApiStub.EventSink sink) throws IOException {
        long sent = lastEventId == null ? 0 : Long.parseLong(lastEventId.substring(0, lastEventId.indexOf('-')));
        boolean finalRead = false;
        Instant deadline = Instant.now().plus(EVENTS_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            ClaudeMessage m = client.resources(ClaudeMessage.class).inNamespace(ns).withName(name).get();
            if (m == null) {
                return;
            }
            boolean terminal = m.getStatus() != null && m.getStatus().getPhase() != null && m.getStatus().getPhase().isTerminal();
            String log = log(ns, m);
            String[] lines = log.split("\n", -1);
            for (int i = (int) sent; i < lines.length - 1; i++) { // the last piece has no line break yet
                sent = i + 1;
                JsonNode json = parse(lines[i]);
                if (json != null && json.path("type").isTextual()) {
                    String type = json.get("type").asText();
                    sink.send(sent + "-0", type, lines[i]);
                    if (type.equals("result")) {
                        return;
                    }
                }
            }
            if (terminal) {
                if (finalRead) {
                    if (log.isEmpty()) {
                        sink.send(null, "status", OperatorApiStub.JSON.writeValueAsString(message(ns, name).orElseThrow()));
                    }
                    return;
                }
                finalRead = true;
                continue;
            }
            sleep();
        }
    }

    private String log(String ns, ClaudeMessage m) {
        if (m.getStatus() == null || m.getStatus().getJobName() == null) {
            return "";
        }
        Pod pod = client.pods().inNamespace(ns).withLabel(Labels.JOB_NAME, m.getStatus().getJobName()).list().getItems()
                .stream().findFirst().orElse(null);
        if (pod == null) {
            return "";
        }
        try {
            String log = client.pods().inNamespace(ns).withName(pod.getMetadata().getName()).inContainer(PodLayout.CONTAINER)
                    .getLog();
            return log == null ? "" : log;
        } catch (RuntimeException e) {
            return ""; // the container is still being created
        }
    }

    private static JsonNode parse(String line) {
        try {
            return line.startsWith("{") ? OperatorApiStub.JSON.readTree(line) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
