package dev.sessionops.claude.kubectl;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import io.fabric8.kubernetes.api.model.Pod;

/**
 * Tells the {@link Progress} of a followed message until it ends: reads it every {@link #POLL} (the operator's event
 * stream says nothing before the run starts), and while it is queued, how many of its session's messages are ahead;
 * while it runs, whether its pod has started. A daemon thread that stops itself; any read failing is left to the
 * command's own reading, which reports it once.
 */
final class StatusPoller implements AutoCloseable {
    static final Duration POLL = Duration.ofSeconds(1);

    private final Kube kube;
    private final String name;
    private final Progress progress;
    private final BooleanSupplier eventsSeen;
    private volatile boolean closed;

    private StatusPoller(Kube kube, String name, Progress progress, BooleanSupplier eventsSeen) {
        this.kube = kube;
        this.name = name;
        this.progress = progress;
        this.eventsSeen = eventsSeen;
    }

    /** @param eventsSeen true once the run's events arrive: it is running, whatever the pod's status says yet */
    static StatusPoller start(Kube kube, String name, Progress progress, BooleanSupplier eventsSeen) {
        StatusPoller p = new StatusPoller(kube, name, progress, eventsSeen);
        Thread t = new Thread(p::run, "kubectl-claude-status");
        t.setDaemon(true);
        t.start();
        return p;
    }

    private void run() {
        boolean podRunning = false;
        while (!closed) {
            try {
                ClaudeMessage m = kube.message(name);
                if (m == null || Messages.isTerminal(m)) {
                    return;
                }
                MessagePhase phase = Messages.phase(m);
                int ahead = phase == MessagePhase.Queued ? ahead(kube, m) : 0;
                podRunning = podRunning || (phase == MessagePhase.Running && (eventsSeen.getAsBoolean() || podRunning(kube, m)));
                if (!closed) {
                    progress.status(StatusLine.of(m, ahead, podRunning));
                }
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // the command's own reads report an unreachable API, once; this only tells progress
                try {
                    Thread.sleep(POLL.toMillis());
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** Where a message that has not ended is, as one line (for {@code logs} without {@code -f}). */
    static String now(Kube kube, ClaudeMessage m) {
        MessagePhase phase = Messages.phase(m);
        return StatusLine.of(m, phase == MessagePhase.Queued ? ahead(kube, m) : 0,
                phase == MessagePhase.Running && podRunning(kube, m));
    }

    /** Messages of its session that run before it and have not ended (the queue's order: creation, then name). */
    static int ahead(Kube kube, ClaudeMessage m) {
        if (m.getSpec() == null || m.getSpec().getSessionRef() == null) {
            return 0;
        }
        String session = m.getSpec().getSessionRef().getName();
        return (int) kube.messages().list().getItems().stream()
                .filter(o -> o.getSpec() != null && o.getSpec().getSessionRef() != null
                        && session.equals(o.getSpec().getSessionRef().getName()))
                .filter(o -> !Messages.isTerminal(o) && Messages.ORDER.compare(o, m) < 0)
                .count();
    }

    static boolean podRunning(Kube kube, ClaudeMessage m) {
        String job = m.getStatus() == null ? null : m.getStatus().getJobName();
        if (job == null) {
            return false;
        }
        Pod pod = new PodLogFollower(kube, line -> { }).newestPod(job);
        String phase = pod == null || pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return phase != null && !phase.equals("Pending");
    }

    @Override
    public void close() {
        closed = true;
    }
}
