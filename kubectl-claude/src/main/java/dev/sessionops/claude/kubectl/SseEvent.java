package dev.sessionops.claude.kubectl;

/** One Server-Sent Event of the operator's {@code …/messages/{name}/log}: {@code event} is the stream-json type. */
record SseEvent(String id, String event, String data) {
    /** The API's single event for a finished message whose events expired: {@code data} is the message JSON. */
    static final String STATUS = "status";
}
