package dev.sessionops.claude.gateway;

import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a per-message token is bound to: one run of one message (its namespace, name and uid: a message deleted and
 * created again under its name is another message) and an expiry no later than the run's deadline.
 */
public record TokenClaims(String namespace, String messageName, String messageUid, Instant expiresAt) {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern SUBDOMAIN = Pattern.compile("[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?");
    private static final Pattern UID = Pattern.compile("[0-9a-zA-Z-]{1,64}");

    public TokenClaims {
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (namespace == null || !LABEL.matcher(namespace).matches()) {
            throw new IllegalArgumentException("not a namespace name");
        }
        if (messageName == null || !SUBDOMAIN.matcher(messageName).matches()) {
            throw new IllegalArgumentException("not a message name");
        }
        if (messageUid == null || !UID.matcher(messageUid).matches()) {
            throw new IllegalArgumentException("not a uid");
        }
    }

    /** Whether {@code namespace}/{@code name} (a request's path) is the message this token was issued for. */
    public boolean isFor(String namespace, String name) {
        return this.namespace.equals(namespace) && this.messageName.equals(name);
    }
}
