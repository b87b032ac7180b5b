package dev.sessionops.claude.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageSpec;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.NameRef;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;

class ConversationKeyTest {

    @Test
    void theKeysCarryTheOwnersUidUnderTheConversationsHashTag() {
        ConversationKey session = ConversationKey.session("team-a", "user-api", "u-1");
        assertEquals("cso:{team-a/user-api}:u-1:history", session.history());
        assertEquals("cso:{team-a/user-api}:u-1:index", session.index());
        assertEquals("cso:{team-a/user-api}:u-1:deleted", session.deleted());
        assertEquals("cso:{team-a/user-api}:", session.legacyPrefix(), "where the keys were before UIDs: same slot");
        assertEquals("cso:{ns/message/quick}:m-9:history", ConversationKey.oneShot(message("quick", null, "m-9")).history());
    }

    @Test
    void aSessionCreatedAgainUnderTheSameNameHasOtherKeys() {
        assertNotEquals(ConversationKey.session("ns", "chat", "old").history(),
                ConversationKey.session("ns", "chat", "new").history());
        assertThrows(IllegalArgumentException.class, () -> ConversationKey.session("ns", "chat", null));
    }

    @Test
    void aMessageBelongsToTheConversationOfTheSessionThatOwnsItOrItsOwn() {
        ClaudeMessage owned = message("chat-01", "chat", "m-1");
        owned.getMetadata().getOwnerReferences().add(new OwnerReferenceBuilder().withKind(ClaudeSession.KIND)
                .withName("chat").withUid("s-1").build());
        assertEquals(Optional.of(ConversationKey.session("ns", "chat", "s-1")), ConversationKey.of(owned));
        assertEquals(Optional.empty(), ConversationKey.of(message("chat-02", "chat", "m-2")), "not taken in yet: none");
        ClaudeMessage other = message("chat-03", "chat", "m-3");
        other.getMetadata().getOwnerReferences().add(new OwnerReferenceBuilder().withKind(ClaudeSession.KIND)
                .withName("another").withUid("s-2").build());
        assertEquals(Optional.empty(), ConversationKey.of(other), "an owner by another name is not its session");
        assertEquals(Optional.of(ConversationKey.oneShot(message("solo", null, "m-4"))), ConversationKey.of(message("solo", null, "m-4")));
    }

    @Test
    void aMessagesLiveEventsAreNamedByItsUidBesideItsConversation() {
        assertEquals("cso:{ns/chat}:events:m-1", ConversationKey.eventsOf(message("chat-01", "chat", "m-1")));
        assertEquals("cso:{ns/message/solo}:events:m-4", ConversationKey.eventsOf(message("solo", null, "m-4")));
        assertTrue(ConversationKey.eventsOf(message("chat-01", "chat", "m-1")).startsWith(
                ConversationKey.session("ns", "chat", "s-1").legacyPrefix()), "same hash tag");
    }

    private static ClaudeMessage message(String name, String session, String uid) {
        ClaudeMessage m = new ClaudeMessage();
        m.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("ns").withUid(uid).build());
        m.setSpec(new ClaudeMessageSpec());
        if (session != null) {
            m.getSpec().setSessionRef(new NameRef(session));
        }
        return m;
    }
}
