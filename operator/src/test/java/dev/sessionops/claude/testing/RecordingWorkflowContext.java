package dev.sessionops.claude.testing;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.javaoperatorsdk.operator.api.reconciler.dependent.managed.ManagedWorkflowAndDependentResourceContext;
import io.javaoperatorsdk.operator.processing.dependent.workflow.WorkflowCleanupResult;
import io.javaoperatorsdk.operator.processing.dependent.workflow.WorkflowReconcileResult;

/**
 * The workflow's context without the workflow: what the reconciler put there, and which keys were present when it
 * asked the workflow to run (the dependents' preconditions read them then).
 */
public final class RecordingWorkflowContext implements ManagedWorkflowAndDependentResourceContext {
    private final Map<Object, Object> values = new HashMap<>();
    private Set<Object> keysWhenReconciled;

    /** The keys present when {@link #reconcileManagedWorkflow()} was called; null when it was not. */
    public Set<Object> keysWhenReconciled() {
        return keysWhenReconciled;
    }

    public boolean reconciled() {
        return keysWhenReconciled != null;
    }

    @Override
    public <T> Optional<T> get(Object key, Class<T> type) {
        return Optional.ofNullable(values.get(key)).filter(type::isInstance).map(type::cast);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T put(Object key, T value) {
        return (T) (value == null ? values.remove(key) : values.put(key, value));
    }

    @Override
    public <T> T getMandatory(Object key, Class<T> type) {
        return get(key, type).orElseThrow(() -> new IllegalStateException("missing " + key));
    }

    /** Nothing runs: the dependents are the SDK's business, and the reconcilers ignore the result. */
    @Override
    public WorkflowReconcileResult reconcileManagedWorkflow() {
        keysWhenReconciled = Set.copyOf(values.keySet());
        return null;
    }

    @Override
    public Optional<WorkflowReconcileResult> getWorkflowReconcileResult() {
        return Optional.empty();
    }

    @Override
    public Optional<WorkflowCleanupResult> getWorkflowCleanupResult() {
        return Optional.empty();
    }

    @Override
    public WorkflowCleanupResult cleanupManageWorkflow() {
        throw new UnsupportedOperationException();
    }
}
