package dev.sessionops.claude.kube;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Condition;

/** Status conditions the Kubernetes way: one per type, lastTransitionTime moves only when the status flips. */
public final class Conditions {
    public static final String TRUE = "True";
    public static final String FALSE = "False";
    public static final String UNKNOWN = "Unknown";
    /**
     * The longest condition or Event message written: a CLI's stderr or an API error can be megabytes, and an object
     * over the API server's size limit cannot be written at all (the message would stay Running).
     */
    public static final int MAX_MESSAGE = 1024;

    private Conditions() {
    }

    /** Sets the condition of that type in place; returns true when anything changed. */
    public static boolean set(List<Condition> conditions, String type, String status, String reason, String message,
            Long observedGeneration) {
        message = cap(message);
        Optional<Condition> existing = find(conditions, type);
        if (existing.isPresent()) {
            Condition c = existing.get();
            boolean same = status.equals(c.getStatus()) && reason.equals(c.getReason()) && message.equals(c.getMessage())
                    && java.util.Objects.equals(observedGeneration, c.getObservedGeneration());
            if (same) {
                return false;
            }
            if (!status.equals(c.getStatus())) {
                c.setLastTransitionTime(now());
            }
            c.setStatus(status);
            c.setReason(reason);
            c.setMessage(message);
            c.setObservedGeneration(observedGeneration);
            return true;
        }
        Condition c = new Condition();
        c.setType(type);
        c.setStatus(status);
        c.setReason(reason);
        c.setMessage(message);
        c.setObservedGeneration(observedGeneration);
        c.setLastTransitionTime(now());
        conditions.add(c);
        return true;
    }

    /** At most {@link #MAX_MESSAGE} characters, ending in an ellipsis when cut (never inside a surrogate pair). */
    public static String cap(String message) {
        if (message == null || message.length() <= MAX_MESSAGE) {
            return message == null ? "" : message;
        }
        int end = MAX_MESSAGE - 1;
        if (Character.isHighSurrogate(message.charAt(end - 1))) {
            end--;
        }
        return message.substring(0, end) + "…";
    }

    public static Optional<Condition> find(List<Condition> conditions, String type) {
        return conditions == null ? Optional.empty()
                : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    public static void remove(List<Condition> conditions, String type) {
        conditions.removeIf(c -> type.equals(c.getType()));
    }

    public static String now() {
        return Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    }
}
