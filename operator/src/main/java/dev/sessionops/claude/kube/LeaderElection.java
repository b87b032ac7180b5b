package dev.sessionops.claude.kube;

import java.time.ZonedDateTime;
import java.util.UUID;

import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;

import org.jboss.logging.Logger;

import dev.sessionops.claude.OperatorConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.arc.Unremovable;

/**
 * Leader election for replicated deployments: the SDK looks this bean up (programmatically, hence unremovable) in
 * the profiles where leader election is active, and only the holder of the Lease starts its reconcilers.
 * <p>
 * When leading stops, the SDK's own handling calls {@code System.exit} — from inside the JVM's shutdown hook when a
 * SIGTERM is what stopped it, which blocks that hook forever (every rollout waited out its grace period). Here: on a
 * shutdown the reconcilers have already stopped (the SDK stops them before leader election), so the Lease is released
 * for a standby to take at once and the JVM goes on exiting; a Lease lost while running still ends the process, so
 * that only the new leader reconciles.
 */
public class LeaderElection {
    private static final Logger LOG = Logger.getLogger(LeaderElection.class);

    /** Dependent, so that it may be null: the SDK then runs without leader election. */
    @Produces
    @Dependent
    @Unremovable
    LeaderElectionConfiguration configuration(OperatorConfig config, KubernetesClient client) {
        OperatorConfig.LeaderElection le = config.leaderElection();
        if (!le.enabled()) {
            return null;
        }
        String identity = identity(le);
        String namespace = le.leaseNamespace().orElse(client.getConfiguration().getNamespace());
        LeaderCallbacks callbacks = new LeaderCallbacks(() -> LOG.infof("leading as %s", identity),
                () -> stoppedLeading(client, namespace, le.leaseName(), identity), leader -> {
                });
        return new LeaderElectionConfiguration(le.leaseName(), le.leaseNamespace().orElse(null), le.leaseDuration(),
                le.renewDeadline(), le.retryPeriod(), identity, callbacks, false);
    }

    private static void stoppedLeading(KubernetesClient client, String namespace, String lease, String identity) {
        if (!shuttingDown()) {
            LOG.errorf("%s lost the Lease %s/%s: exiting, so that only the new leader reconciles", identity, namespace, lease);
            System.exit(1);
        }
        release(client, namespace, lease, identity);
    }

    /**
     * Hands the Lease back as the Kubernetes client's own release does (no holder, 1 s), if this replica still holds
     * it; a standby's next retry takes it.
     */
    static void release(KubernetesClient client, String namespace, String lease, String identity) {
        try {
            client.leases().inNamespace(namespace).withName(lease).edit(l -> {
                if (l.getSpec() != null && identity.equals(l.getSpec().getHolderIdentity())) {
                    l.getSpec().setHolderIdentity(null);
                    l.getSpec().setLeaseDurationSeconds(1);
                    l.getSpec().setRenewTime(ZonedDateTime.now());
                }
                return l;
            });
            LOG.infof("%s released the Lease %s/%s on shutdown", identity, namespace, lease);
        } catch (KubernetesClientException e) {
            // taken over meanwhile, or the API server is gone: the Lease then expires on its own
            LOG.warnf("could not release the Lease %s/%s on shutdown: %s", namespace, lease, e.getMessage());
        }
    }

    /** Whether the JVM is running its shutdown hooks (adding a hook is refused then). */
    static boolean shuttingDown() {
        Thread probe = new Thread(() -> {
        });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }

    /** Two replicas must never share an identity, or both would believe they hold the Lease. */
    static String identity(OperatorConfig.LeaderElection le) {
        if (le.identity().isPresent()) {
            return le.identity().get();
        }
        String hostname = System.getenv("HOSTNAME");
        return hostname != null && !hostname.isBlank() ? hostname : "cso-" + UUID.randomUUID();
    }
}
