package dev.sessionops.claude.session;

import java.util.List;
import java.util.Set;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageStatus;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.message.FullMessages;
import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;

/**
 * The session controller's cache of ClaudeMessages. It keeps what turn-taking reads (metadata, the sessionRef, cancel,
 * the status; of a finished message only its phase, conditions and Job) and drops what only planning a run reads:
 * {@code spec.prompt} and {@code spec.variables} (up to {@code cso.limits.max-prompt-bytes}), held once on the leader,
 * by the ClaudeMessage controller, whose copy planning takes ({@link FullMessages}). {@code metadata.managedFields} goes too: nothing reads it, and the SDK's
 * {@link TransformingItemStore} keeps it.
 * <p>
 * A copy from here must never be written back whole (a PUT, an apply of the object, a diff against it): that would
 * erase the prompt. The session controller writes a message's status alone, by JSON patch of the status subresource
 * ({@code StatusWriter}).
 */
final class PromptlessMessages {
    static final String NAME = "messages";

    private PromptlessMessages() {
    }

    /**
     * The sources of the session controller's messages, each with a store of its own. The SDK gives every informer of
     * one source the same store and makes one informer per watched namespace (a namespaced install's
     * {@code watchNamespaces}): shared, a relist of one namespace would drop the others' messages from the store (the
     * informer removes what its list lacks). So one source per namespace, unless every namespace is watched (one
     * informer).
     *
     * @param namespaces the controller's effective namespaces
     */
    static List<InformerEventSourceConfiguration<ClaudeMessage>> sources(Set<String> namespaces) {
        if (InformerConfiguration.allNamespacesWatched(namespaces)) {
            return List.of(source(NAME).build());
        }
        return namespaces.stream().sorted().map(ns -> source(NAME + "-" + ns).withNamespaces(ns).build()).toList();
    }

    private static InformerEventSourceConfiguration.Builder<ClaudeMessage> source(String name) {
        return InformerEventSourceConfiguration.from(ClaudeMessage.class, ClaudeSession.class)
                .withName(name)
                .withItemStore(new TransformingItemStore<>(PromptlessMessages::strip))
                .withSecondaryToPrimaryMapper(m -> m.getSpec() == null || m.getSpec().getSessionRef() == null ? Set.of()
                        : Set.of(new ResourceID(m.getSpec().getSessionRef().getName(), m.getMetadata().getNamespace())));
    }

    /**
     * Strips {@code message} in place: it is the informer's own copy, deserialized for it alone, so nothing is copied
     * (a 512 KiB prompt would be, by a clone).
     */
    static ClaudeMessage strip(ClaudeMessage message) {
        message.getMetadata().setManagedFields(null);
        if (message.getSpec() != null) {
            message.getSpec().setPrompt(null);
            message.getSpec().setVariables(null);
        }
        ClaudeMessageStatus status = message.getStatus();
        if (status != null && status.getPhase() != null && status.getPhase().isTerminal()) {
            message.setStatus(finished(status));
        }
        return message;
    }

    /**
     * What turn-taking reads of a finished message: that it finished, how, and its Job. Its outcome (a result of up to
     * {@code cso.result-max-chars}, usage, cost) is the bulk of a finished message and of a namespace's held
     * messages; the session's summary comes from Redis. The session controller never writes a finished message.
     */
    private static ClaudeMessageStatus finished(ClaudeMessageStatus status) {
        ClaudeMessageStatus kept = new ClaudeMessageStatus();
        kept.setPhase(status.getPhase());
        kept.setConditions(status.getConditions());
        kept.setJobName(status.getJobName());
        kept.setStartedAt(status.getStartedAt());
        kept.setCompletedAt(status.getCompletedAt());
        kept.setObservedGeneration(status.getObservedGeneration());
        return kept;
    }
}
