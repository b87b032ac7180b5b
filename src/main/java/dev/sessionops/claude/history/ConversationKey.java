package dev.sessionops.claude.history;

/**
 * Names the Redis keys of one conversation. The braces are a hash tag: every key of a conversation lands in one
 * Redis Cluster slot, so one message's writes can be a single atomic script.
 */
public record ConversationKey(String namespace, String name, boolean oneShot) {

    public static ConversationKey session(String namespace, String session) {
        return new ConversationKey(namespace, session, false);
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
}
