package dev.sessionops.claude.message;

/**
 * Why a message cannot run (yet). A waiting problem (a Secret or ConfigMap that may still be applied, as GitOps
 * tools apply in any order) is checked again later; any other one fails the message.
 */
public class MessageProblem extends Exception {
    private final String reason;
    private final boolean waiting;

    private MessageProblem(String reason, String message, boolean waiting) {
        super(message);
        this.reason = reason;
        this.waiting = waiting;
    }

    public static MessageProblem invalid(String reason, String message) {
        return new MessageProblem(reason, message, false);
    }

    public static MessageProblem waiting(String reason, String message) {
        return new MessageProblem(reason, message, true);
    }

    public String reason() {
        return reason;
    }

    public boolean isWaiting() {
        return waiting;
    }
}
