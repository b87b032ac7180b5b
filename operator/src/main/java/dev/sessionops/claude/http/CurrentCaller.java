package dev.sessionops.claude.http;

import jakarta.enterprise.context.RequestScoped;

/**
 * Who is calling, for the rest of the request: set by {@link ApiAuthFilter} from what {@link ApiGate} authenticated,
 * read by what needs the identity beyond the access check (per-user limits). Every routed request has one.
 */
@RequestScoped
public class CurrentCaller {
    private Caller caller;

    void set(Caller caller) {
        this.caller = caller;
    }

    /** The authenticated caller (null only outside a routed request). */
    public Caller get() {
        return caller;
    }

    /** A key for per-user limits: the user name. */
    public String userKey() {
        return caller.username();
    }
}
