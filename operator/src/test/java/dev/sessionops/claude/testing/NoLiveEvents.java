package dev.sessionops.claude.testing;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.events.EventFollower;
import dev.sessionops.claude.events.RunLog;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

/**
 * Live events are a view for the HTTP API (Redis Streams, a thread per run), nothing the reconcilers decide on: for
 * driving a reconciler without Redis or pods to follow.
 */
public final class NoLiveEvents extends EventFollower {
    public NoLiveEvents() {
        super(null, null, null);
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
