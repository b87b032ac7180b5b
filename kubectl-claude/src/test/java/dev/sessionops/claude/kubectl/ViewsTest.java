package dev.sessionops.claude.kubectl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageSpec;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageStatus;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.ClaudeSessionStatus;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.api.v1alpha1.NameRef;
import dev.sessionops.claude.api.v1alpha1.SessionPhase;
import dev.sessionops.claude.api.v1alpha1.Usage;
import dev.sessionops.claude.api.wire.ItemList;
import dev.sessionops.claude.api.wire.MessageDetails;
import dev.sessionops.claude.api.wire.SessionDetails;
import dev.sessionops.claude.api.wire.SessionInfo;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

/**
 * {@code -o json|yaml} prints the read API's shapes: for fully populated resources, the plugin's views have exactly
 * the API records' fields, in their order, each filled (so a field the plugin drops, adds or leaves null fails here).
 */
class ViewsTest {

    @Test
    void aMessageHasTheApisMessageDetailsFields() {
        ObjectNode v = Views.message(message());
        assertEquals(components(MessageDetails.class), fields(v));
        assertAllSet(v);
        assertEquals(Views.JSON.valueToTree(MessageDetails.of(message())), v);
        assertEquals("Succeeded", v.get("phase").asText());
        assertEquals(List.of("Bash"), Views.JSON.convertValue(v.get("permissionDenials"), List.class));
    }

    @Test
    void aSessionHasTheApisSessionDetailsFields() {
        ClaudeMessage second = message();
        second.getMetadata().setName("chat-02");
        second.getMetadata().setCreationTimestamp("2026-11-25T13:16:00Z");
        ObjectNode v = Views.session(session(), List.of(second, message()));
        assertEquals(components(SessionDetails.class), fields(v));
        assertAllSet(v);
        assertEquals("chat-01", v.at("/messages/0").asText(), "queue order");
        assertEquals(12, v.at("/usage/inputTokens").asLong());
    }

    @Test
    void aListedSessionIsTheApisSessionInfoPlusItsPhase() {
        ObjectNode v = Views.sessionInfo(session());
        assertEquals(Stream.concat(components(SessionInfo.class).stream(), Stream.of(Views.PHASE)).toList(), fields(v));
        assertAllSet(v);
        assertEquals("Idle", v.get(Views.PHASE).asText());
        ObjectNode list = Views.list(List.of(v));
        assertEquals(components(ItemList.class), fields(list));
        assertEquals(v, list.at("/items/0"));
    }

    @Test
    void anUnstartedSessionAndMessageKeepEveryField() {
        // nothing has run: the API's fields are still all there, null or empty (as the API answers)
        ClaudeSession s = new ClaudeSession();
        s.setMetadata(new ObjectMetaBuilder().withName("quiet").withCreationTimestamp("2026-11-25T13:00:00Z").build());
        assertEquals(components(SessionDetails.class), fields(Views.session(s, List.of())));
        ClaudeMessage m = new ClaudeMessage();
        m.setMetadata(new ObjectMetaBuilder().withName("solo").build());
        m.setSpec(new ClaudeMessageSpec());
        m.setStatus(null);
        ObjectNode v = Views.message(m);
        assertEquals(components(MessageDetails.class), fields(v));
        assertEquals(0, v.get("conditions").size());
    }

    static List<String> components(Class<? extends Record> type) {
        return Arrays.stream(type.getRecordComponents()).map(c -> c.getName()).toList();
    }

    private static List<String> fields(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static void assertAllSet(JsonNode n) {
        n.fields().forEachRemaining(e -> assertFalse(e.getValue().isNull()
                || (e.getValue().isContainerNode() && e.getValue().isEmpty()), e.getKey() + " is not set: " + n));
    }

    private static ClaudeSession session() {
        ClaudeSession s = new ClaudeSession();
        s.setMetadata(new ObjectMetaBuilder().withName("chat").withCreationTimestamp("2026-11-25T13:00:00Z").build());
        ClaudeSessionStatus st = new ClaudeSessionStatus();
        st.setPhase(SessionPhase.Idle);
        st.setCurrentSessionId("0f3c-12");
        st.setSessionChain(List.of("0f3c-11", "0f3c-12"));
        st.setMessageCount(2);
        st.setCreated("2026-11-25T13:01:00Z");
        st.setLastActive("2026-11-25T13:20:00Z");
        st.setTotalCostUsd(0.25);
        st.setUsage(new Usage(12, 34, 5, 6));
        s.setStatus(st);
        return s;
    }

    private static ClaudeMessage message() {
        ClaudeMessage m = new ClaudeMessage();
        m.setMetadata(new ObjectMetaBuilder().withName("chat-01").withNamespace("ns")
                .withCreationTimestamp("2026-11-25T13:15:00Z").build());
        m.setSpec(new ClaudeMessageSpec());
        m.getSpec().setSessionRef(new NameRef("chat"));
        m.getSpec().setPrompt("Hello");
        m.getSpec().setVariables(Map.of("who", "world"));
        ClaudeMessageStatus st = new ClaudeMessageStatus();
        st.setPhase(MessagePhase.Succeeded);
        st.setSessionId("0f3c-12");
        st.setResumedFrom("0f3c-11");
        st.setJobName("chat-01-run");
        st.setStartedAt("2026-11-25T13:15:01Z");
        st.setCompletedAt("2026-11-25T13:15:09Z");
        st.setDurationMs(8000L);
        st.setNumTurns(3);
        st.setCostUsd(0.125);
        st.setUsage(new Usage(12, 34, 5, 6));
        st.setResult("Hi");
        st.setResultTruncated(false);
        st.setPermissionDenials(List.of("Bash"));
        st.setConditions(List.of(new ConditionBuilder().withType("Succeeded").withStatus("True").withReason("Completed")
                .withLastTransitionTime("2026-11-25T13:15:09Z").build()));
        st.setObservedGeneration(1L);
        m.setStatus(st);
        return m;
    }
}
