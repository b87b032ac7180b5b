package dev.sessionops.claude.api.v1alpha1;

public enum MessagePhase {
    Pending, Queued, Running, Succeeded, Failed, Cancelled;

    public boolean isTerminal() {
        return this == Succeeded || this == Failed || this == Cancelled;
    }
}
