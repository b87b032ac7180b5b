package dev.sessionops.claude.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.javaoperatorsdk.operator.api.reconciler.ResourceOperations;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.processing.event.EventSourceRetriever;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.controller.ControllerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.ManagedInformerEventSource;

/**
 * A JOSDK {@link Context} for calling a reconciler directly: the primary resource, the secondary resources a test
 * hands in (what the informer caches would hold), and writes that go straight to the (mock) API server through
 * {@link #getClient()}. What the reconcilers do not use throws.
 */
public final class TestContext<P extends HasMetadata> implements Context<P> {
    private final P primary;
    private final KubernetesClient client;
    private final Map<Class<?>, List<Object>> secondaries = new HashMap<>();
    private final RecordingWorkflowContext workflow = new RecordingWorkflowContext();
    private boolean primaryDeleted;

    public TestContext(P primary, KubernetesClient client) {
        this.primary = primary;
        this.client = client;
    }

    /** Adds what the informer of {@code type} holds for the primary resource. */
    @SafeVarargs
    public final <R> TestContext<P> with(Class<R> type, R... resources) {
        secondaries.computeIfAbsent(type, t -> new ArrayList<>()).addAll(List.of(resources));
        return this;
    }

    /** As after the SDK's delete event (the reconciler is triggered on all events). */
    public TestContext<P> primaryDeleted() {
        primaryDeleted = true;
        return this;
    }

    public RecordingWorkflowContext workflow() {
        return workflow;
    }

    @Override
    public P getPrimaryResource() {
        return primary;
    }

    @Override
    public KubernetesClient getClient() {
        return client;
    }

    @Override
    public boolean isPrimaryResourceDeleted() {
        return primaryDeleted;
    }

    @Override
    public boolean isPrimaryResourceFinalStateUnknown() {
        return false;
    }

    @Override
    public <R> Set<R> getSecondaryResources(Class<R> type, boolean deduplicate) {
        Set<R> resources = new LinkedHashSet<>();
        secondaries.getOrDefault(type, List.of()).forEach(r -> resources.add(type.cast(r)));
        return resources;
    }

    @Override
    public <R> Stream<R> getSecondaryResourcesAsStream(Class<R> type, boolean deduplicate) {
        return getSecondaryResources(type, deduplicate).stream();
    }

    @Override
    public <R> Optional<R> getSecondaryResource(Class<R> type, String eventSourceName) {
        return getSecondaryResources(type).stream().findFirst();
    }

    @Override
    public RecordingWorkflowContext managedWorkflowAndDependentResourceContext() {
        return workflow;
    }

    /**
     * The SDK's own operations (finalizers by JSON patch with its conflict retries, creates), with the one step that
     * needs an informer, {@code resourcePatch}, reduced to the write itself: no cache to update, no event to filter.
     */
    @Override
    public ResourceOperations<P> resourceOperations() {
        return new ResourceOperations<>(this) {
            @Override
            public <R extends HasMetadata> R resourcePatch(R resource, UnaryOperator<R> write) {
                return write.apply(resource);
            }

            @Override
            public <R extends HasMetadata> R resourcePatch(R resource, UnaryOperator<R> write,
                    ManagedInformerEventSource<R, P, ?> cache) {
                return write.apply(resource);
            }
        };
    }

    /** No event sources: callers hand what they find to {@link #resourceOperations()}, which needs none. */
    @Override
    public EventSourceRetriever<P> eventSourceRetriever() {
        return new EventSourceRetriever<>() {
            @Override
            public <R> EventSource<R, P> getEventSourceFor(Class<R> type, String name) {
                return null;
            }

            @Override
            public ControllerEventSource<P> getControllerEventSource() {
                return null;
            }

            @Override
            public <R> List<EventSource<R, P>> getEventSourcesFor(Class<R> type) {
                throw new UnsupportedOperationException();
            }

            @Override
            public <R> EventSource<R, P> dynamicallyRegisterEventSource(EventSource<R, P> eventSource) {
                throw new UnsupportedOperationException();
            }

            @Override
            public <R> Optional<EventSource<R, P>> dynamicallyDeRegisterEventSource(String name) {
                throw new UnsupportedOperationException();
            }

            @Override
            public EventSourceContext<P> eventSourceContextForDynamicRegistration() {
                throw new UnsupportedOperationException();
            }
        };
    }

    @Override
    public Optional<RetryInfo> getRetryInfo() {
        return Optional.empty();
    }

    @Override
    public ControllerConfiguration<P> getControllerConfiguration() {
        throw new UnsupportedOperationException();
    }

    @Override
    public ExecutorService getWorkflowExecutorService() {
        throw new UnsupportedOperationException();
    }

    @Override
    public IndexedResourceCache<P> getPrimaryCache() {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean isNextReconciliationImminent() {
        return false;
    }
}
