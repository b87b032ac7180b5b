package dev.sessionops.claude.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.sessionops.claude.OperatorConfig;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageStatus;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.testing.TestOperatorConfig;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

class KeyMappingsTest {

    @Test
    void aNamespaceGetsItsOwnKeyElseTheCatchAllElseNone() {
        OperatorConfig config = TestOperatorConfig.with("cso.gateway.keys.team-a.secret", "key-a",
                "cso.gateway.keys.team-a.namespaces", "team-a,team-b",
                "cso.gateway.keys.rest.secret", "key-rest", "cso.gateway.keys.rest.key", "API_KEY",
                "cso.gateway.keys.rest.namespaces", "*");
        KeyMappings mappings = KeyMappings.of(config.gateway().keys());
        assertEquals(new KeyMappings.RegisteredKey("team-a", "key-a", "ANTHROPIC_API_KEY"), mappings.forNamespace("team-b").orElseThrow());
        assertEquals(new KeyMappings.RegisteredKey("rest", "key-rest", "API_KEY"), mappings.forNamespace("team-z").orElseThrow());
        assertEquals(Set.of("key-a", "key-rest"), mappings.secrets());

        KeyMappings onlyA = KeyMappings.of(TestOperatorConfig.with("cso.gateway.keys.a.secret", "key-a",
                "cso.gateway.keys.a.namespaces", "team-a").gateway().keys());
        assertTrue(onlyA.forNamespace("team-b").isEmpty());
        assertTrue(KeyMappings.of(TestOperatorConfig.with().gateway().keys()).forNamespace("team-a").isEmpty());
    }

    @Test
    void twoKeysForOneNamespaceStopTheOperator() {
        OperatorConfig config = TestOperatorConfig.with("cso.gateway.keys.a.secret", "key-a",
                "cso.gateway.keys.a.namespaces", "team-a", "cso.gateway.keys.b.secret", "key-b",
                "cso.gateway.keys.b.namespaces", "team-b,team-a");
        var e = assertThrows(IllegalArgumentException.class, () -> KeyMappings.of(config.gateway().keys()));
        assertTrue(e.getMessage().contains("team-a"), e.getMessage());
    }

    @Test
    void aTokenLivesWhileItsMessageDoes() {
        String uid = "u-1";
        assertEquals(MessageLiveness.State.GONE, MessageLiveness.state(null, uid));
        assertEquals(MessageLiveness.State.GONE, MessageLiveness.state(message("u-2", MessagePhase.Running), uid),
                "another message under the same name");
        assertEquals(MessageLiveness.State.RUNNING, MessageLiveness.state(message(uid, null), uid));
        assertEquals(MessageLiveness.State.RUNNING, MessageLiveness.state(message(uid, MessagePhase.Queued), uid),
                "the pod may start before the status says Running");
        assertEquals(MessageLiveness.State.RUNNING, MessageLiveness.state(message(uid, MessagePhase.Running), uid));
        for (MessagePhase ended : new MessagePhase[] { MessagePhase.Succeeded, MessagePhase.Failed, MessagePhase.Cancelled }) {
            assertEquals(MessageLiveness.State.ENDED, MessageLiveness.state(message(uid, ended), uid), ended.toString());
        }
    }

    private static ClaudeMessage message(String uid, MessagePhase phase) {
        ClaudeMessage m = new ClaudeMessage();
        m.setMetadata(new ObjectMetaBuilder().withName("m").withNamespace("team-a").withUid(uid).build());
        if (phase != null) {
            m.setStatus(new ClaudeMessageStatus());
            m.getStatus().setPhase(phase);
        }
        return m;
    }
}
