package dev.sessionops.claude.benchmark;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.api.v1alpha1.SessionPhase;
import dev.sessionops.claude.e2e.Harness;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * What users give the operator, created as a cluster admin: sessions, their messages, and a held load of idle
 * sessions and finished messages. Creation is parallel (the benchmark's own requests are not the operator's and are
 * not counted) but keeps each session's order: message k of every session is created before message k+1 of any.
 */
final class OperatorWorkload implements AutoCloseable {
    private static final String HELD_PROMPT = "Held, never run";
    private final KubernetesClient admin;
    private final ExecutorService pool = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "workload");
        t.setDaemon(true);
        return t;
    });

    OperatorWorkload(KubernetesClient admin) {
        this.admin = admin;
    }

    /** Creates the chains' sessions and waits until the operator has made each Idle (state volume requested). */
    void sessions(String namespace, List<String> names, Duration timeout) {
        parallel(names, name -> Harness.session(admin, namespace, name, spec -> {
        }));
        java.util.Set<String> wanted = java.util.Set.copyOf(names);
        await("sessions Idle in " + namespace, timeout, () -> admin.resources(ClaudeSession.class).inNamespace(namespace)
                .list().getItems().stream().filter(s -> wanted.contains(s.getMetadata().getName()) && s.getStatus() != null
                        && s.getStatus().getPhase() == SessionPhase.Idle)
                .count() == wanted.size());
    }

    /** Creates every chain's messages, wave by wave (message 1 of each, then message 2, …). */
    void messages(String namespace, List<Chain> chains) {
        int longest = chains.stream().mapToInt(c -> c.messages().size()).max().orElse(0);
        for (int k = 0; k < longest; k++) {
            int index = k;
            parallel(chains.stream().filter(c -> c.messages().size() > index).toList(),
                    c -> Harness.message(admin, namespace, c.messages().get(index), c.session(), BareClient.PROMPT));
        }
    }

    /**
     * One chain's messages as one user sends them at low load: the first {@code ahead} at once, then each next one
     * when the Job of the message {@code ahead} places before it has been created (so at most {@code ahead} wait while
     * one runs, and each is taken in while the one before runs, not in a burst over the first dispatches). Returns
     * what stops the sending.
     */
    AutoCloseable trickle(String namespace, Chain chain, int ahead, Timeline timeline) {
        List<String> names = chain.messages();
        for (int k = 0; k < Math.min(ahead, names.size()); k++) {
            Harness.message(admin, namespace, names.get(k), chain.session(), BareClient.PROMPT);
        }
        Future<?> sending = pool.submit(() -> {
            for (int k = ahead; k < names.size() && !Thread.currentThread().isInterrupted(); k++) {
                String before = names.get(k - ahead);
                while (timeline.step(namespace, before).created() == null) {
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                Harness.message(admin, namespace, names.get(k), chain.session(), BareClient.PROMPT);
            }
        });
        return () -> sending.cancel(true);
    }

    /**
     * The held load: {@code idleSessions} sessions and {@code finishedMessages} messages spread over them, created
     * with {@code spec.cancel: true} so they end Cancelled without a Job; waits until all have.
     */
    void held(String namespace, int idleSessions, int finishedMessages, Duration timeout) {
        if (idleSessions == 0 && finishedMessages == 0) {
            return;
        }
        List<String> sessions = new ArrayList<>();
        for (int i = 1; i <= Math.max(1, idleSessions); i++) {
            sessions.add(String.format("idle%04d", i));
        }
        sessions(namespace, sessions, timeout);
        List<Integer> numbers = new ArrayList<>();
        for (int i = 1; i <= finishedMessages; i++) {
            numbers.add(i);
        }
        parallel(numbers, i -> Harness.message(admin, namespace, String.format("done%05d", i),
                sessions.get(i % sessions.size()), HELD_PROMPT, spec -> spec.setCancel(true)));
        await(finishedMessages + " held messages Cancelled in " + namespace, timeout,
                () -> cancelled(namespace) >= finishedMessages);
    }

    /**
     * The namespace's Cancelled messages, from the API server's watch cache: listed from etcd, 10,000 messages every
     * 200 ms loaded the API server the operator shares, and one list timed out (then it is asked again).
     */
    private long cancelled(String namespace) {
        try {
            return admin.resources(ClaudeMessage.class).inNamespace(namespace)
                    .list(new io.fabric8.kubernetes.api.model.ListOptionsBuilder().withResourceVersion("0").build())
                    .getItems().stream()
                    .filter(m -> m.getStatus() != null && m.getStatus().getPhase() == MessagePhase.Cancelled).count();
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            return -1;
        }
    }

    private <T> void parallel(List<T> items, java.util.function.Consumer<T> create) {
        List<Future<?>> futures = new ArrayList<>();
        for (T item : items) {
            futures.add(pool.submit(() -> create.accept(item)));
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("creating the workload failed", e.getCause());
            }
        }
    }

    static void await(String what, Duration timeout, BooleanSupplier done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout + " waiting for " + what);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
