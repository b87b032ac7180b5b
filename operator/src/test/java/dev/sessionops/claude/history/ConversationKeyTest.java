package dev.sessionops.claude.history;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageSpec;
import dev.sessionops.claude.api.v1alpha1.NameRef;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

class ConversationKeyTest {

    @Test
    void aMessagesEventsShareTheHashTagOfItsConversation() {
        ConversationKey session = ConversationKey.session("team-a", "user-api");
        assertEquals("cso:{team-a/user-api}:history", session.history());
        assertEquals("cso:{team-a/user-api}:events:user-api-01", session.events("user-api-01"));
        assertEquals("cso:{team-a/user-api}:index", session.index());
        ConversationKey oneShot = ConversationKey.oneShot("team-a", "quick");
        assertEquals("cso:{team-a/message/quick}:events:quick", oneShot.events("quick"));
    }

    @Test
    void aMessageBelongsToItsSessionsConversationOrItsOwn() {
        assertEquals(ConversationKey.session("ns", "chat"), ConversationKey.of(message("chat-01", "chat")));
        assertEquals(ConversationKey.oneShot("ns", "solo"), ConversationKey.of(message("solo", null)));
    }

    private static ClaudeMessage message(String name, String session) {
        ClaudeMessage m = new ClaudeMessage();
        m.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("ns").build());
        m.setSpec(new ClaudeMessageSpec());
        if (session != null) {
            m.getSpec().setSessionRef(new NameRef(session));
        }
        return m;
    }
}
