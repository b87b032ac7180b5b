package dev.sessionops.claude.testing;

import java.util.Optional;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.events.EventFollower;
import dev.sessionops.claude.events.RunLog;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

/**
 * Live events are a view for the HTTP API (Redis Streams, a thread per run), nothing the reconcilers decide on: for
 * driving a reconciler without Redis or pods to follow.
 */
public final class NoLiveEvents extends EventFollower {
    private final RunLog finished;

    public NoLiveEvents() {
        this(null);
    }

    private NoLiveEvents(RunLog finished) {
        super(null, null, null);
        this.finished = finished;
    }

    /** As if a follower had read every run's log to its end: {@code log} is what it kept for the recording. */
    public static NoLiveEvents keeping(RunLog log) {
        return new NoLiveEvents(log);
    }

    @Override
    public Optional<RunLog> finishedLog(ClaudeMessage message, Job job) {
        return Optional.ofNullable(finished);
    }

    @Override
    public void follow(ClaudeMessage message, Job job) {
    }

    @Override
    public void runEnded(ClaudeMessage message, RunLog log) {
    }

    @Override
    public void forget(ClaudeMessage message) {
    }
}
