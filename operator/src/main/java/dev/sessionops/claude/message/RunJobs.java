package dev.sessionops.claude.message;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.kube.Controllers;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Which Job is a message's run: the one the message controls (its controller owner reference, by UID), as the
 * operator created it. A Job only named like the run, or only naming the message among its owners, could be anyone's
 * who may create Jobs in the namespace: it is never followed, recorded, adopted after a 409 nor deleted.
 */
public final class RunJobs {
    static final String MESSAGE_KIND = HasMetadata.getKind(ClaudeMessage.class);

    private RunJobs() {
    }

    /** {@code job} is the run of the message with UID {@code messageUid}. */
    public static boolean isRunOf(Job job, String messageUid) {
        return Controllers.controlledBy(job, MESSAGE_KIND, messageUid);
    }

    /** Of the Jobs the cache maps to {@code message} (any owner reference naming it), its run; the newest if several. */
    static Optional<Job> of(ClaudeMessage message, Collection<Job> mapped) {
        return mapped.stream().filter(j -> isRunOf(j, message.getMetadata().getUid()))
                .max(Comparator.comparing(j -> String.valueOf(j.getMetadata().getCreationTimestamp())));
    }

    /**
     * The create of the run's Job answered 409 and the Job of that name, {@code existing} (null: gone meanwhile), is
     * not the run's: a final refusal, so the message fails and nothing of that Job is used. A person removes it.
     */
    public static Optional<RunRefused> conflict(Job existing, String messageUid, KubernetesClientException conflict) {
        if (existing == null || isRunOf(existing, messageUid)) {
            return Optional.empty();
        }
        String name = existing.getMetadata().getName();
        return Optional.of(new RunRefused(new JobRefusal(false, Reasons.JOB_CONFLICT, "Job " + name + " exists but is not"
                + " this message's run (no controller owner reference to its uid): it is never used; delete it and"
                + " create the message again"), conflict));
    }
}
