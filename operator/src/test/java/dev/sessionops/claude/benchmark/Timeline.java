package dev.sessionops.claude.benchmark;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.sessionops.claude.api.runner.Labels;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/**
 * When things happened, as the benchmark's own watches saw them, in milliseconds of this JVM's wall clock (the API's
 * timestamps have whole seconds only). One observer for the operator and the bare client alike, so both are timed
 * the same way, delivery delay included: a Job's creation and completion, and when a message's run was recorded
 * (the ClaudeMessage {@code Succeeded}, or the bare client's {@link BareClient#RECORDED} mark on its Job).
 *
 * <p>Keyed by namespace and message name: the operator's Jobs carry their message's name in the
 * {@link Labels#MESSAGE} label, and so do the bare client's (built by the same {@code JobSpecBuilder}).
 */
final class Timeline implements AutoCloseable {
    private final Map<String, Long> created = new ConcurrentHashMap<>();
    private final Map<String, Long> completed = new ConcurrentHashMap<>();
    private final Map<String, Long> recorded = new ConcurrentHashMap<>();
    private final Map<String, String> failed = new ConcurrentHashMap<>();
    private final SharedIndexInformer<Job> jobs;
    private final SharedIndexInformer<ClaudeMessage> messages;

    /** Watches Jobs and ClaudeMessages in every namespace, as {@code admin}. */
    Timeline(KubernetesClient admin) {
        jobs = admin.batch().v1().jobs().inAnyNamespace().inform(new Handler<>(this::jobSeen));
        messages = admin.resources(ClaudeMessage.class).inAnyNamespace().inform(new Handler<>(this::messageSeen));
    }

    /** The steps of one chain of messages, in order. */
    List<Step> chain(String namespace, List<String> messageNames) {
        return messageNames.stream().map(m -> step(namespace, m)).toList();
    }

    Step step(String namespace, String message) {
        String key = key(namespace, message);
        return new Step(message, created.get(key), completed.get(key), recorded.get(key), failed.get(key));
    }

    /** Whether every one of these messages is recorded or failed. */
    boolean allEnded(String namespace, List<String> messageNames) {
        return messageNames.stream().map(m -> key(namespace, m))
                .allMatch(k -> recorded.containsKey(k) || failed.containsKey(k));
    }

    private void jobSeen(Job job) {
        long now = System.currentTimeMillis();
        Map<String, String> labels = job.getMetadata().getLabels();
        String message = labels == null ? null : labels.get(Labels.MESSAGE);
        if (message == null) {
            return;
        }
        String key = key(job.getMetadata().getNamespace(), message);
        created.putIfAbsent(key, now);
        if (job.getStatus() != null && job.getStatus().getConditions() != null) {
            for (var condition : job.getStatus().getConditions()) {
                if ("True".equals(condition.getStatus()) && "Complete".equals(condition.getType())) {
                    completed.putIfAbsent(key, now);
                }
                if ("True".equals(condition.getStatus()) && "Failed".equals(condition.getType())) {
                    completed.putIfAbsent(key, now);
                    failed.putIfAbsent(key, "Job failed: " + condition.getReason());
                }
            }
        }
        Map<String, String> annotations = job.getMetadata().getAnnotations();
        if (annotations != null && annotations.containsKey(BareClient.RECORDED)) {
            recorded.putIfAbsent(key, now);
        }
    }

    private void messageSeen(ClaudeMessage message) {
        long now = System.currentTimeMillis();
        MessagePhase phase = message.getStatus() == null ? null : message.getStatus().getPhase();
        String key = key(message.getMetadata().getNamespace(), message.getMetadata().getName());
        if (phase == MessagePhase.Succeeded) {
            recorded.putIfAbsent(key, now);
        } else if (phase == MessagePhase.Failed || phase == MessagePhase.Cancelled) {
            failed.putIfAbsent(key, "message " + phase);
        }
    }

    private static String key(String namespace, String message) {
        return namespace + "/" + message;
    }

    @Override
    public void close() {
        jobs.close();
        messages.close();
    }

    /** One message's run: when its Job was created and completed, when the run was recorded (ms; null: not seen). */
    record Step(String message, Long created, Long completed, Long recorded, String failure) {
    }

    /** Adds and updates alike: only the first sighting of each state counts. */
    private static final class Handler<T> implements ResourceEventHandler<T> {
        private final java.util.function.Consumer<T> seen;

        Handler(java.util.function.Consumer<T> seen) {
            this.seen = seen;
        }

        @Override
        public void onAdd(T obj) {
            seen.accept(obj);
        }

        @Override
        public void onUpdate(T oldObj, T newObj) {
            seen.accept(newObj);
        }

        @Override
        public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        }
    }
}
