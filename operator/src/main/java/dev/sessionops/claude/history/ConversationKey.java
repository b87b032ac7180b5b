package dev.sessionops.claude.history;

import java.util.Optional;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;

/**
 * Names the Redis keys of one conversation: a session's (its messages share it) or a one-shot message's own. The
 * keys carry the UID of that session or message, so a conversation belongs to one object, not to a name: a session
 * deleted and created again under the same name starts empty, and a late write for the deleted one lands in keys
 * nobody reads and its deletion fenced off ({@link #deleted()}). The braces are a hash tag: every key of a
 * conversation lands in one Redis Cluster slot (the name's: keys from before UIDs are renamed in place, see
 * {@link HistoryStore#adopt}), so one message's writes can be a single atomic script.
 *
 * @param uid the session's UID, or the one-shot message's
 */
public record ConversationKey(String namespace, String name, boolean oneShot, String uid) {

    public ConversationKey {
        if (uid == null || uid.isEmpty()) {
            throw new IllegalArgumentException("a conversation is named by its owner's UID");
        }
    }

    public static ConversationKey session(String namespace, String session, String uid) {
        return new ConversationKey(namespace, session, false, uid);
    }

    public static ConversationKey of(ClaudeSession session) {
        return session(session.getMetadata().getNamespace(), session.getMetadata().getName(), session.getMetadata().getUid());
    }

    /** A message without sessionRef is a conversation of its own; "message/" cannot clash with a session name. */
    public static ConversationKey oneShot(ClaudeMessage message) {
        return new ConversationKey(message.getMetadata().getNamespace(), message.getMetadata().getName(), true,
                message.getMetadata().getUid());
    }

    /**
     * The conversation a message belongs to: its own when it has no sessionRef, else its session's — known once the
     * message is owned by that session (the owner reference's UID names it; the message reconciler sets it before
     * anything is recorded). Empty for a session's message not owned yet: nothing of it is in Redis.
     */
    public static Optional<ConversationKey> of(ClaudeMessage message) {
        if (message.getSpec() == null || message.getSpec().getSessionRef() == null) {
            return Optional.of(oneShot(message));
        }
        String session = message.getSpec().getSessionRef().getName();
        var owners = message.getMetadata().getOwnerReferences();
        return owners == null ? Optional.empty() : owners.stream()
                .filter(o -> ClaudeSession.KIND.equals(o.getKind()) && session.equals(o.getName()) && o.getUid() != null)
                .findFirst()
                .map(o -> session(message.getMetadata().getNamespace(), session, o.getUid()));
    }

    /** The live stream-json events of one message (a Redis Stream), by the message's UID, beside its conversation. */
    public static String eventsOf(ClaudeMessage message) {
        boolean oneShot = message.getSpec() == null || message.getSpec().getSessionRef() == null;
        String conversation = oneShot ? "message/" + message.getMetadata().getName() : message.getSpec().getSessionRef().getName();
        return "cso:{" + message.getMetadata().getNamespace() + "/" + conversation + "}:events:" + message.getMetadata().getUid();
    }

    private String tag() {
        return "cso:{" + namespace + "/" + (oneShot ? "message/" : "") + name + "}:";
    }

    String prefix() {
        return tag() + uid + ":";
    }

    /** The keys' prefix before conversations were named by UID (same slot: {@link HistoryStore#adopt} renames them). */
    String legacyPrefix() {
        return tag();
    }

    public String history() { return prefix() + "history"; }
    public String meta() { return prefix() + "meta"; }
    public String chain() { return prefix() + "chain"; }
    public String applied() { return prefix() + "applied"; }
    /** How each recorded message ended: a hash from the message UID to its {@link Outcome} as JSON. */
    public String outcomes() { return prefix() + "outcomes"; }

    /**
     * Where each recorded message's entries sit in {@link #history()}: a hash from the message UID to
     * {@code "<start>:<count>"}, so one message's turns are read as one LRANGE of the page asked for.
     */
    public String index() { return prefix() + "index"; }

    /** Set when the conversation is deleted (with an expiry): a record arriving late for it writes nothing. */
    public String deleted() { return prefix() + "deleted"; }
}
