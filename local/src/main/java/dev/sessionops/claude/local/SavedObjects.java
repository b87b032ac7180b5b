package dev.sessionops.claude.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.crud.CrudDispatcher;

/**
 * The embedded API keeps objects in memory only; local mode saves the sessions and messages to a file whenever they
 * change and creates them again on the next start (with their status), so a restarted operator shows the same
 * conversations. Jobs, pods and claims are not saved: claims are recreated by the operator, the volumes' files stay on
 * disk, and a run still in flight when the process stopped is reported as lost (its Job is gone).
 */
final class SavedObjects {
    private static final Logger LOG = Logger.getLogger(SavedObjects.class.getName());
    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    private final KubernetesClient client;
    private final Path file;
    private final ScheduledExecutorService saver = Executors.newSingleThreadScheduledExecutor(KubeletThreads.daemon("local-save"));
    private final AtomicBoolean pending = new AtomicBoolean();
    private SharedIndexInformer<ClaudeSession> sessions;
    private SharedIndexInformer<ClaudeMessage> messages;

    /** The file's content. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Snapshot(List<ClaudeSession> sessions, List<ClaudeMessage> messages) {
    }

    private final CrudDispatcher store;

    /** @param store the embedded API's storage, where a restored object gets its identity back */
    SavedObjects(KubernetesClient client, Path file, CrudDispatcher store) {
        this.client = client;
        this.file = file;
        this.store = store;
    }

    void restoreThenKeepSaving(List<AutoCloseable> resources) {
        restore();
        ResourceEventHandler<HasMetadata> onChange = new ResourceEventHandler<>() {
            @Override
            public void onAdd(HasMetadata obj) {
                scheduleSave();
            }

            @Override
            public void onUpdate(HasMetadata oldObj, HasMetadata newObj) {
                scheduleSave();
            }

            @Override
            public void onDelete(HasMetadata obj, boolean deletedFinalStateUnknown) {
                scheduleSave();
            }
        };
        sessions = client.resources(ClaudeSession.class).inAnyNamespace().inform(cast(onChange));
        messages = client.resources(ClaudeMessage.class).inAnyNamespace().inform(cast(onChange));
        resources.add(() -> {
            saver.shutdownNow();
            save(); // the last word before the process ends
            sessions.close();
            messages.close();
        });
    }

    @SuppressWarnings("unchecked")
    private static <T extends HasMetadata> ResourceEventHandler<T> cast(ResourceEventHandler<HasMetadata> handler) {
        return (ResourceEventHandler<T>) (ResourceEventHandler<?>) handler;
    }

    private void scheduleSave() {
        if (pending.compareAndSet(false, true)) {
            saver.schedule(() -> {
                pending.set(false);
                save();
            }, 300, TimeUnit.MILLISECONDS);
        }
    }

    synchronized void save() {
        if (sessions == null || messages == null) {
            return;
        }
        Snapshot snapshot = new Snapshot(sorted(sessions.getStore().list()), sorted(messages.getStore().list()));
        try {
            Pki.writePrivate(file, JSON.asJson(snapshot)); // 0600: prompts and results are the user's
        } catch (RuntimeException e) {
            LOG.warning("Local mode: cannot save sessions and messages to " + file + ": " + e);
        }
    }

    private static <T extends HasMetadata> List<T> sorted(List<T> items) {
        List<T> copy = new ArrayList<>(items);
        copy.sort(Comparator.comparing((T o) -> o.getMetadata().getNamespace()).thenComparing(o -> o.getMetadata().getName()));
        return copy;
    }

    private void restore() {
        if (!Files.exists(file)) {
            return;
        }
        Snapshot snapshot;
        try {
            snapshot = JSON.unmarshal(Files.readString(file), Snapshot.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            LOG.warning("Local mode: " + file + " is unreadable, starting without saved objects: " + e);
            return;
        }
        advanceResourceVersions(nullToEmpty(snapshot.sessions()), nullToEmpty(snapshot.messages()));
        int n = 0;
        for (ClaudeSession s : nullToEmpty(snapshot.sessions())) {
            n += recreate(s);
        }
        for (ClaudeMessage m : nullToEmpty(snapshot.messages())) {
            n += recreate(m);
        }
        LOG.info("Local mode: restored " + n + " sessions and messages from " + file);
    }

    /**
     * Resource versions never go back: the embedded API counts from 1 at every start, so it first counts past the
     * highest saved one. A client that saw version N before the restart (a watch resuming from it, kubectl wait's
     * reflector) then sees every later change as later.
     */
    private void advanceResourceVersions(List<ClaudeSession> sessions, List<ClaudeMessage> messages) {
        if (!(store instanceof io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher counter)) {
            return;
        }
        long highest = java.util.stream.Stream.concat(sessions.stream(), messages.stream())
                .mapToLong(o -> version(o.getMetadata().getResourceVersion())).max().orElse(0);
        if (highest > MAX_RESTORED_VERSION) {
            // one step per version: a file with a huge one (edited, corrupt) must not hang the start
            LOG.warning("Local mode: " + file + " names resource version " + highest + ", more than local mode ever"
                    + " counts to; versions start over (clients watching from before the restart list again)");
            return;
        }
        while (counter.requestResourceVersion() < highest) {
            // each call takes the next version
        }
    }

    /** Far above what a local mode counts to in its life (one per write), far below what takes long to count to. */
    static final long MAX_RESTORED_VERSION = 50_000_000L;

    static long version(String resourceVersion) {
        try {
            return resourceVersion == null ? 0 : Long.parseLong(resourceVersion);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static <T> List<T> nullToEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    /**
     * Creates the object again as a user would have, with its owner references (finalizers are the operator's to set
     * again), gives it back its identity (uid and creationTimestamp: the operator keys a conversation by uid, and the
     * queue runs in creation order; a resource version later than the saved one), then puts its status back through the status subresource; a message that had not
     * ended gets none, so it runs (again).
     */
    private <T extends HasMetadata> int recreate(T saved) {
        ObjectMeta old = saved.getMetadata();
        Object status = statusOf(saved);
        if (saved instanceof ClaudeMessage m && m.getStatus() != null && m.getStatus().getPhase() != null
                && !m.getStatus().getPhase().isTerminal()) {
            // not ended when local mode stopped (a run in flight: its process went with it): it starts over, as a new
            // message would; the operator checks the history first, so a run recorded just before the stop is not
            // run again
            status = null;
        }
        saved.setMetadata(new ObjectMetaBuilder().withName(old.getName()).withNamespace(old.getNamespace())
                .withLabels(old.getLabels()).withAnnotations(old.getAnnotations()).withGeneration(old.getGeneration())
                .withCreationTimestamp(old.getCreationTimestamp())
                .withOwnerReferences(old.getOwnerReferences()).build()); // valid: the owners keep their uids
        try {
            T created = client.resource(saved).create();
            keepIdentity(created, old);
            created.getMetadata().setUid(old.getUid());
            if (status != null) {
                setStatus(created, status);
                client.resource(created).updateStatus();
            }
            return 1;
        } catch (RuntimeException e) {
            LOG.warning("Local mode: cannot restore " + old.getNamespace() + "/" + old.getName() + ": " + e.getMessage());
            return 0;
        }
    }

    /**
     * The embedded API server gives every create a new uid and creationTimestamp; a restored object is the same
     * object, so its stored copy takes the saved ones back (before anything watches: the operator starts after this).
     */
    private void keepIdentity(HasMetadata created, ObjectMeta old) {
        if (old.getUid() == null) {
            return;
        }
        String uid = created.getMetadata().getUid();
        for (var entry : store.getMap().entrySet()) {
            if (!entry.getValue().contains(uid)) {
                continue;
            }
            GenericKubernetesResource stored = JSON.unmarshal(entry.getValue(), GenericKubernetesResource.class);
            if (uid.equals(stored.getMetadata().getUid())) {
                stored.getMetadata().setUid(old.getUid());
                stored.getMetadata().setCreationTimestamp(old.getCreationTimestamp());
                entry.setValue(JSON.asJson(stored));
                return;
            }
        }
    }

    private static Object statusOf(HasMetadata o) {
        if (o instanceof ClaudeSession s) {
            return s.getStatus();
        }
        return ((ClaudeMessage) o).getStatus();
    }

    private static void setStatus(HasMetadata o, Object status) {
        if (o instanceof ClaudeSession s) {
            s.setStatus((dev.sessionops.claude.api.v1alpha1.ClaudeSessionStatus) status);
        } else {
            ((ClaudeMessage) o).setStatus((dev.sessionops.claude.api.v1alpha1.ClaudeMessageStatus) status);
        }
    }
}
