package dev.sessionops.claude.message;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

import jakarta.inject.Singleton;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * Whole ClaudeMessages, prompt and variables included, for the session controller, which plans its queue head's Job
 * from a cache that drops them (a prompt may be up to {@code cso.limits.max-prompt-bytes}; held once, not twice). The
 * whole copy is the ClaudeMessage controller's primary cache, which that controller publishes here when the SDK
 * prepares its event sources: no request. A message that cache does not hold (yet: the two controllers' informers
 * start independently), or holds at an older spec than the caller's copy, is read with one GET of that message,
 * never a list.
 */
@Singleton
public class FullMessages {
    private volatile Function<ResourceID, Optional<ClaudeMessage>> cache = id -> Optional.empty();

    /**
     * The ClaudeMessage controller's primary cache. Its objects are the SDK's: whatever this class hands out is read,
     * never changed.
     */
    public void publish(Function<ResourceID, Optional<ClaudeMessage>> primaryCache) {
        cache = Objects.requireNonNull(primaryCache);
    }

    /**
     * The whole message that {@code copy} (a copy without its prompt) stands for, at a spec at least as new as the
     * copy's (generation). Empty when it has ended meanwhile (the copy is behind: the event that says so is on its
     * way), was deleted, or the name is another object's now (another UID): nothing of it is to be started.
     */
    public Optional<ClaudeMessage> of(ClaudeMessage copy, KubernetesClient client) {
        Optional<ClaudeMessage> cached = cache.apply(ResourceID.fromResource(copy))
                .filter(m -> sameObject(m, copy) && generation(m) >= generation(copy));
        ClaudeMessage whole = cached.orElseGet(() -> client.resources(ClaudeMessage.class)
                .inNamespace(copy.getMetadata().getNamespace()).withName(copy.getMetadata().getName()).get());
        return Optional.ofNullable(whole).filter(m -> sameObject(m, copy) && !ended(m));
    }

    private static boolean sameObject(ClaudeMessage a, ClaudeMessage b) {
        return Objects.equals(a.getMetadata().getUid(), b.getMetadata().getUid());
    }

    private static boolean ended(ClaudeMessage m) {
        return m.getStatus() != null && m.getStatus().getPhase() != null && m.getStatus().getPhase().isTerminal();
    }

    /** An API server sets it; a copy without one (the mock server's) counts as the first. */
    private static long generation(ClaudeMessage m) {
        Long generation = m.getMetadata().getGeneration();
        return generation == null ? 1 : generation;
    }
}
