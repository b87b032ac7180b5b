package dev.sessionops.claude.local;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.lang.reflect.Field;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serves {@code GET /api/v1/namespaces/{ns}/pods/{pod}/log} on the mock server. The CRUD dispatcher answers that
 * path with a pod List, and expectations only match an exact path and query, so the server's dispatcher is wrapped
 * (the mock has no public hook for that, hence the reflection), once per server.
 */
final class PodLogs {
    private static final Pattern LOG_PATH = Pattern.compile("^/api/v1/namespaces/([^/]+)/pods/([^/?]+)/log(?:\\?(.*))?$");

    private record PodKey(String namespace, String pod) {
    }

    /** Containers of a pod we created; a container's buffer appears when it starts. */
    private static final class PodEntry {
        final List<String> containers;
        final List<String> all;
        final Map<String, LogBuffer> buffers = new ConcurrentHashMap<>();

        PodEntry(List<String> containers, List<String> all) {
            this.containers = containers;
            this.all = all;
        }
    }

    private final Map<PodKey, PodEntry> pods = new ConcurrentHashMap<>();

    static PodLogs install(KubernetesMockServer server) {
        PodLogs logs = new PodLogs();
        EmbeddedApiGuard.wrap(server, original -> new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                Matcher m = LOG_PATH.matcher(request.getPath());
                if ("GET".equals(request.getMethod()) && m.matches()) {
                    return logs.serve(m.group(1), m.group(2), query(m.group(3)));
                }
                return original.dispatch(request);
            }

            @Override
            public void shutdown() {
                original.shutdown();
            }
        });
        return logs;
    }

    /** {@code containers} are the main ones (one of them is the default), {@code all} adds the init containers. */
    void podCreated(String namespace, String pod, List<String> containers, List<String> all) {
        pods.put(new PodKey(namespace, pod), new PodEntry(List.copyOf(containers), List.copyOf(all)));
    }

    void podDeleted(String namespace, String pod) {
        pods.remove(new PodKey(namespace, pod));
    }

    /** From now on the container's log is served from {@code buffer}. */
    void containerStarted(String namespace, String pod, String container, LogBuffer buffer) {
        PodEntry entry = pods.get(new PodKey(namespace, pod));
        if (entry != null) {
            entry.buffers.put(container, buffer);
        }
    }

    private MockResponse serve(String namespace, String pod, Map<String, String> query) {
        PodEntry entry = pods.get(new PodKey(namespace, pod));
        if (entry == null) {
            return status(404, "NotFound", "pods \"" + pod + "\" not found");
        }
        // like the API server: the container may be omitted when the pod has exactly one
        String container = query.getOrDefault("container", entry.containers.size() == 1 ? entry.containers.get(0) : null);
        if (container == null) {
            return status(400, "BadRequest", "a container name must be specified for pod " + pod + ", choose one of: "
                    + entry.containers);
        }
        if (!entry.all.contains(container)) {
            return status(400, "BadRequest", "container " + container + " is not valid for pod " + pod);
        }
        LogBuffer buffer = entry.buffers.get(container);
        if (buffer == null) {
            return status(400, "BadRequest", "container \"" + container + "\" in pod \"" + pod
                    + "\" is waiting to start: ContainerCreating");
        }
        String text = tail(buffer.text(), query.get("tailLines"));
        if (query.containsKey("limitBytes")) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            int limit = (int) Math.min(bytes.length, Long.parseLong(query.get("limitBytes")));
            text = new String(bytes, 0, limit, StandardCharsets.UTF_8);
        }
        return new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/plain").setBody(text);
    }

    static String tail(String text, String tailLines) {
        if (tailLines == null) {
            return text;
        }
        int start = text.endsWith("\n") ? text.length() - 1 : text.length();
        for (int i = Integer.parseInt(tailLines); i > 0; i--) {
            start = text.lastIndexOf('\n', start - 1);
            if (start < 0) {
                return text;
            }
        }
        return text.substring(Math.min(start + 1, text.length()));
    }

    private static MockResponse status(int code, String reason, String message) {
        String body = Serialization.asJson(new StatusBuilder().withStatus("Failure").withCode(code).withReason(reason)
                .withMessage(message).build());
        return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json").setBody(body);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String key = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : pair.substring(eq + 1);
                params.put(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
            }
        }
        return params;
    }

    static Object readField(Class<?> type, Object target, String name) {
        try {
            Field field = type.getDeclaredField(name);
            field.setAccessible(true);
            return field.get(target);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the Fabric8 mock server changed: cannot reach " + type.getName() + "." + name
                    + " to route pod logs", e);
        }
    }
}
