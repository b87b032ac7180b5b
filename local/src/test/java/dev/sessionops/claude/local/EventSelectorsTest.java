package dev.sessionops.claude.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/** An object's Events by field selector, as {@code kubectl describe} asks for them, on the embedded API. */
class EventSelectorsTest {
    private MockApi api;
    private KubernetesClient client;

    @BeforeEach
    void start() {
        api = MockApi.start(EventSelectors::serve);
        client = api.client();
        event("e1", "demo-01", "Succeeded");
        event("e2", "demo-01", "JobCreated");
        event("e3", "demo-02", "Succeeded");
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private void event(String name, String object, String reason) {
        client.v1().events().resource(new EventBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewInvolvedObject().withKind("ClaudeMessage").withName(object).withNamespace("default")
                .withUid("uid-" + object).endInvolvedObject().withReason(reason).withType("Normal").build()).create();
    }

    private List<String> names(List<Event> events) {
        return events.stream().map(e -> e.getMetadata().getName()).sorted().toList();
    }

    @Test
    void describeFindsAnObjectsEventsOnly() {
        // what kubectl describe sends
        List<Event> events = client.v1().events().inNamespace("default").withField("involvedObject.name", "demo-01")
                .withField("involvedObject.namespace", "default").withField("involvedObject.kind", "ClaudeMessage")
                .withField("involvedObject.uid", "uid-demo-01").list().getItems();
        assertEquals(List.of("e1", "e2"), names(events));
        assertEquals(List.of("e1", "e3"), names(client.v1().events().inNamespace("default").withField("reason", "Succeeded")
                .list().getItems()));
        assertEquals(3, client.v1().events().inNamespace("default").list().getItems().size(), "no selector: all");
    }

    @Test
    void aMalformedQueryIsTheCallersError() throws Exception {
        // raw, as a hostile client sends it (Java's own URI refuses to build it)
        try (var socket = new java.net.Socket("127.0.0.1", api.server().getPort())) {
            socket.getOutputStream().write(("GET /api/v1/namespaces/default/events?fieldSelector=%zz HTTP/1.1\r\n"
                    + "Host: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String status = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    java.nio.charset.StandardCharsets.US_ASCII)).readLine();
            assertEquals("HTTP/1.1 400 Bad Request", status);
        }
    }

    @Test
    void anUnsupportedFieldIsRefusedRatherThanIgnored() {
        var refused = assertThrows(KubernetesClientException.class, () -> client.v1().events().inNamespace("default")
                .withField("source", "kubelet").list());
        assertEquals(400, refused.getCode());
        assertEquals(Map.of("involvedObject.name", "x"), EventSelectors.parse("involvedObject.name==x"));
        assertThrows(IllegalArgumentException.class, () -> EventSelectors.parse("reason!=x"));
    }
}
