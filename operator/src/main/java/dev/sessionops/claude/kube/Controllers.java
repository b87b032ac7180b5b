package dev.sessionops.claude.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * Whose an object is: the one its controller owner reference names, by kind and UID. A name can be taken by anyone
 * who may create that kind in the namespace; a controller reference to a UID is what the operator (or the controller
 * it relies on) set when it made the object, and the API server keeps at most one per object.
 */
public final class Controllers {
    private Controllers() {
    }

    /** {@code resource}'s controller owner reference names an object of {@code kind} with UID {@code uid}. */
    public static boolean controlledBy(HasMetadata resource, String kind, String uid) {
        var owners = resource == null ? null : resource.getMetadata().getOwnerReferences();
        return uid != null && owners != null && owners.stream().anyMatch(o -> Boolean.TRUE.equals(o.getController())
                && kind.equals(o.getKind()) && uid.equals(o.getUid()));
    }
}
