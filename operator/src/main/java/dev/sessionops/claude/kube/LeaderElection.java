package dev.sessionops.claude.kube;

import java.util.UUID;

import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.context.Dependent;

import dev.sessionops.claude.OperatorConfig;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.arc.Unremovable;

/**
 * Leader election for replicated deployments: the SDK looks this bean up (programmatically, hence unremovable) in
 * the profiles where leader election is active, and only the holder of the Lease starts its reconcilers.
 */
public class LeaderElection {

    /** Dependent, so that it may be null: the SDK then runs without leader election. */
    @Produces
    @Dependent
    @Unremovable
    LeaderElectionConfiguration configuration(OperatorConfig config) {
        OperatorConfig.LeaderElection le = config.leaderElection();
        if (!le.enabled()) {
            return null;
        }
        return new LeaderElectionConfiguration(le.leaseName(), le.leaseNamespace().orElse(null), le.leaseDuration(),
                le.renewDeadline(), le.retryPeriod(), identity(le), null, true);
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
