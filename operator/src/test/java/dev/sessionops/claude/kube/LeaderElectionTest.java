package dev.sessionops.claude.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Leader election is on in production (only the Lease holder reconciles; OperatorOnRealApiServerE2E shows a standby
 * replica idle until the leader crashes) and off in tests, where one operator owns the mock API server.
 */
@QuarkusTest
class LeaderElectionTest {
    @Inject
    Operator operator;
    @Inject
    LeaderElectionConfiguration configured;

    @Test
    void activeInTheProdProfileOnlyAndOffInTests() {
        List<String> profiles = ConfigProvider.getConfig()
                .getValues("quarkus.operator-sdk.activate-leader-election-for-profiles", String.class);
        assertEquals(List.of("prod"), profiles);
        assertTrue(operator.getConfigurationService().getLeaderElectionConfiguration().isEmpty(),
                "no leader election in the test profile");
    }

    @Test
    void leaseIsTheOperatorsWithUniqueIdentityAndSaneTimings() {
        assertEquals("claude-session-operator", configured.getLeaseName());
        assertTrue(configured.getIdentity().isPresent() && !configured.getIdentity().get().isBlank());
        assertTrue(configured.getLeaseDuration().compareTo(configured.getRenewDeadline()) > 0,
                "the Lease must outlive a renewal attempt");
        assertTrue(configured.getRenewDeadline().compareTo(configured.getRetryPeriod()) > 0);
        assertEquals(Duration.ofSeconds(15), configured.getLeaseDuration());
        // not the SDK's System.exit (it blocks a SIGTERM's shutdown hook forever): our callback exits on a lost Lease,
        // so a partitioned replica can never keep reconciling beside the new leader, and releases it on a shutdown
        assertFalse(configured.isExitOnStopLeading());
        assertTrue(configured.getLeaderCallbacks().isPresent());
        assertFalse(LeaderElection.shuttingDown());
    }

    @Test
    void identitiesDifferPerProcessWithoutAPodName() {
        var unnamed = new OperatorConfigLeaderElection();
        if (System.getenv("HOSTNAME") == null) {
            assertNotEquals(LeaderElection.identity(unnamed), LeaderElection.identity(unnamed));
        } else {
            assertEquals(System.getenv("HOSTNAME"), LeaderElection.identity(unnamed));
        }
    }

    /** Settings with nothing set, as a replica started outside a pod has. */
    private static final class OperatorConfigLeaderElection implements dev.sessionops.claude.OperatorConfig.LeaderElection {
        @Override
        public boolean enabled() {
            return true;
        }

        @Override
        public String leaseName() {
            return "claude-session-operator";
        }

        @Override
        public java.util.Optional<String> leaseNamespace() {
            return java.util.Optional.empty();
        }

        @Override
        public java.util.Optional<String> identity() {
            return java.util.Optional.empty();
        }

        @Override
        public Duration leaseDuration() {
            return Duration.ofSeconds(15);
        }

        @Override
        public Duration renewDeadline() {
            return Duration.ofSeconds(10);
        }

        @Override
        public Duration retryPeriod() {
            return Duration.ofSeconds(2);
        }
    }
}
