package dev.sessionops.claude.history;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;

/**
 * Names the Redis keys of one conversation. The braces are a hash tag: every key of a conversation lands in one
 * Redis Cluster slot, so one message's writes can be a single atomic script.
 */
public record ConversationKey(String namespace, String name, boolean oneShot) {

    public static ConversationKey session(String namespace, String session) {
        return new ConversationKey(namespace, session, false);
    }

    /** The conversation a message belongs to: its session's, or its own when it has no sessionRef. */
    public static ConversationKey of(ClaudeMessage message) {
        String namespace = message.getMetadata().getNamespace();
        return message.getSpec() == null || message.getSpec().getSessionRef() == null
                ? oneShot(namespace, message.getMetadata().getName())
                : session(namespace, message.getSpec().getSessionRef().getName());
    }

    /** A message without sessionRef is a conversation of its own; "message/" cannot clash with a session name. */
    public static ConversationKey oneShot(String namespace, String message) {
        return new ConversationKey(namespace, message, true);
    }

    String prefix() {
        return "cso:{" + namespace + "/" + (oneShot ? "message/" : "") + name + "}:";
    }

    public String history() { return prefix() + "history"; }
    public String meta() { return prefix() + "meta"; }
    public String chain() { return prefix() + "chain"; }
    public String applied() { return prefix() + "applied"; }

    /**
     * Where each recorded message's entries sit in {@link #history()}: a hash from the message UID to
     * {@code "<start>:<count>"}, so one message's turns are read as one LRANGE of the page asked for.
     */
    public String index() { return prefix() + "index"; }

    /** The live stream-json events of one message of this conversation (a Redis Stream). */
    public String events(String messageName) { return prefix() + "events:" + messageName; }
}
