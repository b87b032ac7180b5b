package dev.sessionops.claude.http;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The access a resource class of the API requires, read by {@link ApiAuthFilter} from the matched class: either the
 * Kubernetes resource the caller must be allowed to {@code get} in the path's namespace, or (empty) only that the
 * caller is authenticated (discovery). A class without it is refused to everyone: a new route fails closed.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Guarded {
    /** claudesessions or claudemessages; empty for "authenticated is enough". */
    String value();
}
