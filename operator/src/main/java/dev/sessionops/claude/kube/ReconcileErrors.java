package dev.sessionops.claude.kube;

import java.util.List;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;

/**
 * What a reconciler's {@code updateErrorStatus} does with an unexpected exception: a condition on the resource
 * naming the error (so {@code kubectl describe} shows why nothing moves, instead of a silent status) and a Warning
 * Event; the SDK then retries with its backoff. The message is capped: an exception can carry a whole response body,
 * and a condition must not push the object towards the API server's size limit.
 */
public final class ReconcileErrors {
    /** The condition type, True while the last reconcile of the resource failed unexpectedly. */
    public static final String TYPE = "ReconcileError";
    public static final String REASON = "ReconcileError";
    static final int MAX_MESSAGE = Conditions.MAX_MESSAGE;
    private static final Logger LOG = Logger.getLogger(ReconcileErrors.class);

    private ReconcileErrors() {
    }

    /**
     * Records the error on the resource (condition and Event); the status is written here, through
     * {@link StatusWriter}, like every other status write of the operator.
     *
     * @param conditions the resource's conditions list (non-null, part of its status)
     */
    public static <P extends HasMetadata> ErrorStatusUpdateControl<P> report(P resource, List<Condition> conditions,
            Context<P> context, EventRecorder events, Exception e) {
        String message = describe(e);
        LOG.warnf("%s %s/%s: reconcile failed, retrying: %s", resource.getKind(), resource.getMetadata().getNamespace(),
                resource.getMetadata().getName(), message);
        LOG.debug("the reconcile error", e);
        try {
            if (Conditions.set(conditions, TYPE, Conditions.TRUE, REASON, message, resource.getMetadata().getGeneration())) {
                StatusWriter.writePrimary(context, resource);
                events.warning(resource, REASON, message);
            }
        } catch (RuntimeException writeFailed) {
            // the API server may be what failed: the SDK's retry comes anyway
            LOG.debugf("could not record the reconcile error on %s: %s", resource.getMetadata().getName(), writeFailed.getMessage());
        }
        return ErrorStatusUpdateControl.noStatusUpdate();
    }

    /** True (and the condition removed) when the last reconcile had failed: the caller writes the status once. */
    public static boolean clear(List<Condition> conditions) {
        boolean had = Conditions.find(conditions, TYPE).isPresent();
        if (had) {
            Conditions.remove(conditions, TYPE);
        }
        return had;
    }

    /** The exception's type and message, on one line, at most {@link #MAX_MESSAGE} characters. */
    static String describe(Exception e) {
        Throwable cause = e;
        // the SDK wraps what the reconciler threw; the wrapper's name says nothing
        while (cause instanceof io.javaoperatorsdk.operator.OperatorException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return describe(cause);
    }

    private static String describe(Throwable e) {
        String text = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        text = text.replaceAll("\\s+", " ").strip();
        return Conditions.cap(text);
    }
}
