package dev.sessionops.claude.kubectl;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.time.Duration;
import java.util.Comparator;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import dev.sessionops.claude.api.runner.Labels;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.runner.PodLayout;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Reads a message's events from its Job's pod log (the CLI's stream-json, one event a line) when the operator's API
 * is not reachable: works wherever the user may read pod logs. Following reads the log again every
 * {@link #POLL} until the message has ended, skipping the lines already read; only complete lines count, so a line
 * still being written is read whole the next time.
 */
final class PodLogFollower {
    static final Duration POLL = Duration.ofMillis(500);

    private final Kube kube;
    private final Consumer<String> lines;

    PodLogFollower(Kube kube, Consumer<String> lines) {
        this.kube = kube;
        this.lines = lines;
    }

    /**
     * @param live       keep reading until the message ends; else print what the log holds now
     * @param resultSeen true once the lines read contained the run's {@code result} event
     */
    void follow(String message, boolean live, BooleanSupplier resultSeen) {
        long read = 0;
        boolean finalRead = false;
        while (true) {
            ClaudeMessage m = kube.message(message);
            if (m == null) {
                throw new CliException(ExitCodes.NOT_FOUND, "claudemessage \"" + message + "\" was deleted", null);
            }
            boolean terminal = Messages.isTerminal(m);
            Pod pod = m.getStatus() == null || m.getStatus().getJobName() == null ? null
                    : newestPod(m.getStatus().getJobName());
            if (pod != null) {
                read = readLog(pod.getMetadata().getName(), read, terminal || !live);
                if (resultSeen.getAsBoolean()) {
                    return;
                }
            }
            if (!live) {
                return;
            }
            if (terminal) {
                if (finalRead) {
                    return;
                }
                finalRead = true; // one more read: the last lines may have come after the phase changed
                continue;
            }
            sleep(POLL);
        }
    }

    Pod newestPod(String job) {
        return kube.client().pods().inNamespace(kube.namespace()).withLabel(Labels.JOB_NAME, job).list().getItems()
                .stream().max(Comparator.comparing(p -> p.getMetadata().getCreationTimestamp() == null ? ""
                        : p.getMetadata().getCreationTimestamp())).orElse(null);
    }

    /**
     * Reads the log from the start, handing on complete lines after the first {@code skip}; returns the lines read.
     * A plain {@code getLog()} each round rather than a streamed {@code follow=true}: it is the call the operator
     * itself uses, it works on every server (a streamed log read left the mock API server's connections dead for
     * the client's next requests), and a run's log is small; this is the fallback path anyway.
     */
    private long readLog(String pod, long skip, boolean takePartialLine) {
        String log;
        try {
            log = kube.client().pods().inNamespace(kube.namespace()).withName(pod).inContainer(PodLayout.CONTAINER).getLog();
        } catch (KubernetesClientException e) {
            return skip; // e.g. 400 while the container is still being created; the next round tries again
        }
        try {
            return readLines(new StringReader(log == null ? "" : log), skip, takePartialLine, lines);
        } catch (IOException e) {
            throw new IllegalStateException(e); // a StringReader does not fail
        }
    }

    /** Complete lines of {@code in} after the first {@code skip}; the total count of lines read. */
    static long readLines(Reader in, long skip, boolean takePartialLine, Consumer<String> lines) throws IOException {
        StringBuilder line = new StringBuilder();
        long count = 0;
        long done = skip;
        int c;
        try {
            while ((c = in.read()) >= 0) {
                if (c == '\n') {
                    count++;
                    if (count > skip) {
                        lines.accept(line.toString());
                        done = count;
                    }
                    line.setLength(0);
                } else {
                    line.append((char) c);
                }
            }
        } catch (IOException e) {
            return done; // a cut stream: what was complete counts
        }
        if (takePartialLine && line.length() > 0 && count + 1 > skip) {
            lines.accept(line.toString());
            done = count + 1;
        }
        return done;
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        }
    }
}
