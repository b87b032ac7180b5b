package dev.sessionops.claude.message;

import java.util.Collection;
import java.util.Optional;

import dev.sessionops.claude.api.runner.JobNames;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.kube.Controllers;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
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

    /**
     * Of the Jobs the cache maps to {@code message} (any owner reference naming it), its run: the one of the run's own
     * name ({@link JobNames#forMessage}, the only name the operator gives it) that the message controls. Another Job
     * claiming control of the message, under any other name, is never chosen, however new.
     */
    static Optional<Job> of(ClaudeMessage message, Collection<Job> mapped) {
        String name = JobNames.forMessage(message.getMetadata().getName(), message.getMetadata().getUid());
        return mapped.stream().filter(j -> name.equals(j.getMetadata().getName()))
                .filter(j -> isRunOf(j, message.getMetadata().getUid())).findFirst();
    }

    /**
     * The create of the run's Job {@code desired} answered {@code conflict} (409): the Job of that name, if the
     * message controls it (an earlier attempt, or another leader, created it: the same run). One the message does not
     * control is someone else's: a final {@link RunRefused} ({@link Reasons#JOB_CONFLICT}), so the message fails and
     * nothing of that Job is used; a person removes it. Gone meanwhile: the 409 again, for the caller's retry.
     */
    public static Job existingRun(KubernetesClient client, Job desired, String messageUid,
            KubernetesClientException conflict) {
        String name = desired.getMetadata().getName();
        Job existing = client.batch().v1().jobs().inNamespace(desired.getMetadata().getNamespace()).withName(name).get();
        if (existing == null) {
            throw conflict;
        }
        if (!isRunOf(existing, messageUid)) {
            throw new RunRefused(new JobRefusal(false, Reasons.JOB_CONFLICT, "Job " + name + " exists but is not this"
                    + " message's run (no controller owner reference to its uid): it is never used; delete it and"
                    + " create the message again"), conflict);
        }
        return existing;
    }
}
