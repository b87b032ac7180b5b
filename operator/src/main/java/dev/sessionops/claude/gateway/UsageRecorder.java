package dev.sessionops.claude.gateway;

/** Where the gateway puts what each forwarded response used. Blocking: called on a worker thread, once per response. */
public interface UsageRecorder {

    void record(TokenClaims claims, ResponseUsage usage);
}
