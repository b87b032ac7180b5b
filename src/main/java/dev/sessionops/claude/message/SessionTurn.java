package dev.sessionops.claude.message;

import java.util.List;

import dev.sessionops.claude.Labels;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.session.MessageQueue;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The last check before a message's Job is created: is it really this message's turn? The informer cache said so,
 * but two messages of a session are reconciled in parallel and a cache can miss a sibling created a moment earlier
 * (seen on the mock server under load: two Jobs of one session started 200 ms apart). So the turn is confirmed
 * against the API server: the live messages of the session put this one at the head, and no other Job of the
 * session is still running (which also covers a sibling between its Job's creation and its Running status).
 */
final class SessionTurn {
    private SessionTurn() {
    }

    static boolean confirmed(KubernetesClient client, ClaudeMessage message, ClaudeSession session) {
        String namespace = message.getMetadata().getNamespace();
        String sessionName = session.getMetadata().getName();
        List<ClaudeMessage> live = client.resources(ClaudeMessage.class).inNamespace(namespace).list().getItems().stream()
                .filter(m -> m.getSpec() != null && m.getSpec().getSessionRef() != null
                        && sessionName.equals(m.getSpec().getSessionRef().getName()))
                .toList();
        if (!MessageQueue.mayRun(message, live)) {
            return false;
        }
        List<Job> jobs = client.batch().v1().jobs().inNamespace(namespace)
                .withLabel(Labels.SESSION, JobNames.labelValue(sessionName)).list().getItems();
        return noOtherRunning(jobs, message.getMetadata().getName());
    }

    /** True when every Job of the session that is not this message's has finished. */
    static boolean noOtherRunning(List<Job> sessionJobs, String messageName) {
        String own = JobNames.labelValue(messageName);
        return sessionJobs.stream().allMatch(j -> own.equals(j.getMetadata().getLabels().get(Labels.MESSAGE))
                || JobState.of(j).finished());
    }
}
