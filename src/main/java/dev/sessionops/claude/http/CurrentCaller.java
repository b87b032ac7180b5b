package dev.sessionops.claude.http;

import jakarta.enterprise.context.RequestScoped;

/**
 * Who is calling, for the rest of the request: set by {@link ApiAuthFilter} once the caller is authenticated, read by
 * what needs the identity beyond the access check (per-user limits). Empty only where authentication is off.
 */
@RequestScoped
public class CurrentCaller {
    private Caller caller;

    void set(Caller caller) {
        this.caller = caller;
    }

    /** The authenticated caller, or null when the API runs without authentication. */
    public Caller get() {
        return caller;
    }

    /** A key for per-user limits: the user name, or "anonymous" without authentication. */
    public String userKey() {
        return caller == null ? "anonymous" : caller.username();
    }
}
