package dev.sessionops.claude.message;

import java.util.Optional;

import org.jboss.logging.Logger;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.gateway.Gateway;
import dev.sessionops.claude.gateway.UsageLedger;

/**
 * What the credential gateway recorded about a message, for its final status: the usage the model API reported (the
 * trusted figure, beside the CLI's claim) and whether the gateway refused its requests for the namespace's budget.
 * Best effort: a record Redis cannot give now leaves the status without it, never holds the message up.
 */
final class GatewayFacts {
    private static final Logger LOG = Logger.getLogger(GatewayFacts.class);
    static final GatewayFacts NONE = new GatewayFacts(null);

    private final Gateway gateway;

    GatewayFacts(Gateway gateway) {
        this.gateway = gateway;
    }

    /** The gateway's usage into the status of a message that ends. */
    void fill(ClaudeMessage message) {
        record(message).map(UsageLedger.MessageRecord::usage).ifPresent(message.getStatus()::setGatewayUsage);
    }

    /** A failed run whose requests the gateway refused for the budget fails {@code BudgetExceeded}, saying so. */
    Verdict refine(ClaudeMessage message, Verdict verdict) {
        if (verdict.phase() != MessagePhase.Failed) {
            return verdict;
        }
        boolean overBudget = record(message).map(r -> UsageLedger.BUDGET.equals(r.refused())).orElse(false);
        return overBudget ? new Verdict(MessagePhase.Failed, Reasons.BUDGET_EXCEEDED, "the namespace's model API budget"
                + " is spent (cso.gateway.namespace-budget-usd): the credential gateway refused the run's requests; "
                + verdict.message()) : verdict;
    }

    private Optional<UsageLedger.MessageRecord> record(ClaudeMessage message) {
        if (gateway == null || !gateway.enabled()) {
            return Optional.empty();
        }
        try {
            return gateway.recordOf(message.getMetadata().getNamespace(), message.getMetadata().getUid());
        } catch (RuntimeException e) {
            LOG.warnf("message %s/%s: the gateway's record is unavailable: %s", message.getMetadata().getNamespace(),
                    message.getMetadata().getName(), e.getMessage());
            return Optional.empty();
        }
    }
}
