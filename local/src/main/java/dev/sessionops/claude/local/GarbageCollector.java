package dev.sessionops.claude.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/**
 * Kubernetes' garbage collector for the embedded API, which has none: an object whose owners are all gone is deleted
 * (background propagation: the owner first, then its dependents, then theirs), so deleting a session takes its
 * messages, their Jobs, pods and prompt ConfigMaps, and its state claim, as on a cluster. A claim's host directory
 * goes with the claim. At start it also collects what was orphaned while local mode was not running.
 *
 * <p>Foreground propagation is carried out as background here: the embedded API removes the owner at once (it has no
 * {@code foregroundDeletion} finalizer); nothing in local mode depends on the owner outliving its dependents.
 */
final class GarbageCollector implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(GarbageCollector.class.getName());
    private static final String BY_OWNER = "byOwner";
    private static final String BY_UID = "byUid";

    private final KubernetesClient client;
    private final Function<PersistentVolumeClaim, Path> claimDirs;
    private final List<SharedIndexInformer<? extends HasMetadata>> informers = new ArrayList<>();

    /** @param claimDirs the host directory behind a claim (deleted with it) */
    GarbageCollector(KubernetesClient client, Function<PersistentVolumeClaim, Path> claimDirs) {
        this.client = client;
        this.claimDirs = claimDirs;
    }

    /** Watches every kind that has owners or dependents in local mode, then collects what is orphaned already. */
    GarbageCollector start() {
        watch(ClaudeSession.class);
        watch(ClaudeMessage.class);
        watch(Job.class);
        watch(Pod.class);
        watch(ConfigMap.class);
        watch(PersistentVolumeClaim.class);
        for (SharedIndexInformer<? extends HasMetadata> informer : informers) {
            for (HasMetadata object : informer.getStore().list()) {
                if (orphaned(object)) {
                    delete(object);
                }
            }
        }
        return this;
    }

    private <T extends HasMetadata> void watch(Class<T> type) {
        SharedIndexInformer<T> informer = client.resources(type).inAnyNamespace().runnableInformer(0);
        informer.addIndexers(java.util.Map.of(BY_OWNER, o -> ownerUids(o).stream().toList(),
                BY_UID, o -> o.getMetadata().getUid() == null ? List.of() : List.of(o.getMetadata().getUid())));
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                ownerDeleted(obj);
            }
        });
        informers.add(informer);
        informer.run();
    }

    /** Its dependents whose owners are now all gone go too; a claim takes its host directory with it. */
    private void ownerDeleted(HasMetadata owner) {
        if (owner instanceof PersistentVolumeClaim claim) {
            deleteDirectory(claimDirs.apply(claim));
        }
        String uid = owner.getMetadata().getUid();
        for (SharedIndexInformer<? extends HasMetadata> informer : informers) {
            for (HasMetadata dependent : informer.getIndexer().byIndex(BY_OWNER, uid)) {
                if (orphaned(dependent)) {
                    delete(dependent);
                }
            }
        }
    }

    /** Has owners, and none of them exists any more. */
    private boolean orphaned(HasMetadata object) {
        Set<String> owners = ownerUids(object);
        return !owners.isEmpty() && owners.stream().noneMatch(this::exists);
    }

    private boolean exists(String uid) {
        return informers.stream().anyMatch(i -> !i.getIndexer().byIndex(BY_UID, uid).isEmpty());
    }

    private void delete(HasMetadata object) {
        try {
            client.resource(object).delete();
            LOG.fine(() -> "Local mode: garbage-collected " + object.getKind() + " " + object.getMetadata().getNamespace()
                    + "/" + object.getMetadata().getName());
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                LOG.log(Level.WARNING, "Local mode: cannot delete orphaned " + object.getKind() + " "
                        + object.getMetadata().getName() + ": " + e.getMessage());
            }
        }
    }

    private static Set<String> ownerUids(HasMetadata object) {
        List<OwnerReference> owners = object.getMetadata().getOwnerReferences();
        return owners == null ? Set.of() : owners.stream().map(OwnerReference::getUid).filter(u -> u != null)
                .collect(Collectors.toSet());
    }

    private static void deleteDirectory(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        informers.forEach(SharedIndexInformer::close);
    }
}
