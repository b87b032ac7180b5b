package dev.sessionops.claude.gateway;

import java.time.Clock;
import java.util.Locale;
import java.util.Optional;

/**
 * The gatekeeper of a running operator: the message still runs (the API server says), its namespace has a registered
 * key whose Secret holds a value, and its namespace is within its budget for the window (Redis says). A failing API
 * server or Redis fails the request (503, retried by the CLI), never lets it through unchecked.
 */
final class ClusterGatekeeper implements Gatekeeper {
    private final MessageLiveness liveness;
    private final KeyRegistry keys;
    private final UsageLedger ledger;
    private final Optional<Double> namespaceBudgetUsd;
    private final Clock clock;

    ClusterGatekeeper(MessageLiveness liveness, KeyRegistry keys, UsageLedger ledger, Optional<Double> namespaceBudgetUsd,
            Clock clock) {
        this.liveness = liveness;
        this.keys = keys;
        this.ledger = ledger;
        this.namespaceBudgetUsd = namespaceBudgetUsd;
        this.clock = clock;
    }

    @Override
    public Decision admit(TokenClaims claims) {
        String message = claims.namespace() + "/" + claims.messageName();
        switch (liveness.of(claims)) {
            case GONE -> {
                return Decision.refuse(Refusal.forbidden("message " + message + " no longer exists: its token no longer works"));
            }
            case ENDED -> {
                return Decision.refuse(Refusal.forbidden("message " + message + " has ended: its token no longer works"));
            }
            default -> {
            }
        }
        Optional<KeyMappings.RegisteredKey> registered = keys.registered(claims.namespace());
        if (registered.isEmpty()) {
            return Decision.refuse(Refusal.forbidden("no model API key is registered for namespace " + claims.namespace()));
        }
        Optional<String> value = keys.value(registered.get());
        if (value.isEmpty()) {
            return Decision.refuse(new Refusal(503, "api_error", "the model API key " + registered.get().name()
                    + " is not in its Secret (ask the platform team)", false));
        }
        if (namespaceBudgetUsd.isPresent()) {
            double spent = ledger.spent(claims.namespace(), clock.instant());
            if (spent >= namespaceBudgetUsd.get()) {
                ledger.refused(claims, UsageLedger.BUDGET);
                return Decision.refuse(Refusal.overBudget(String.format(Locale.ROOT,
                        "namespace %s has spent $%.2f of its $%.2f model API budget (cso.gateway.namespace-budget-usd);"
                                + " no more requests until %s", claims.namespace(), spent, namespaceBudgetUsd.get(),
                        ledger.windowEnd(clock.instant()))));
            }
        }
        return Decision.forward(value.get());
    }
}
