package dev.sessionops.claude.api.v1alpha1;

public enum SessionPhase {
    Pending, Idle, Running, Suspended, Failed
}
