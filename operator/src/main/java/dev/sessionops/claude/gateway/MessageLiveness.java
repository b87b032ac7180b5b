package dev.sessionops.claude.gateway;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Whether a token's message is still running, from the API server (every replica serves the gateway, and only the
 * leader has informer caches): a message that has ended, is gone, or is another object under the same name (its uid
 * differs) ends its token. An ended message is remembered until its token would have expired anyway; a running one is
 * asked again after {@link #RECHECK}, so a token stops working within that long after its message ends.
 */
final class MessageLiveness {
    static final Duration RECHECK = Duration.ofSeconds(1);
    /** Bounds the memory of ended messages: past this the map is cleared (the API server is asked again). */
    static final int MAX_REMEMBERED = 10_000;

    enum State { RUNNING, ENDED, GONE }

    private final KubernetesClient client;
    private final Clock clock;
    private final Map<String, Seen> seen = new ConcurrentHashMap<>();

    private record Seen(State state, Instant until) {
    }

    MessageLiveness(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    State of(TokenClaims claims) {
        Instant now = clock.instant();
        Seen known = seen.get(claims.messageUid());
        if (known != null && now.isBefore(known.until())) {
            return known.state();
        }
        ClaudeMessage message = client.resources(ClaudeMessage.class).inNamespace(claims.namespace())
                .withName(claims.messageName()).get();
        State state = state(message, claims.messageUid());
        if (seen.size() >= MAX_REMEMBERED) {
            seen.clear();
        }
        seen.put(claims.messageUid(), new Seen(state, state == State.RUNNING ? now.plus(RECHECK) : claims.expiresAt()));
        return state;
    }

    static State state(ClaudeMessage message, String uid) {
        if (message == null || !uid.equals(message.getMetadata().getUid())) {
            return State.GONE;
        }
        MessagePhase phase = message.getStatus() == null ? null : message.getStatus().getPhase();
        return phase != null && phase.isTerminal() ? State.ENDED : State.RUNNING;
    }
}
