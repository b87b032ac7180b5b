package dev.sessionops.claude.gateway;

/**
 * Decides, for a token that verified, whether its request goes upstream and with which key: the message still runs,
 * its namespace has a key, its namespace's budget is not spent. Blocking (it asks the API server and Redis): the
 * gateway calls it on a worker thread.
 */
public interface Gatekeeper {

    Decision admit(TokenClaims claims);

    /** Forward with {@code apiKey}, or answer {@code refusal}. */
    record Decision(String apiKey, Refusal refusal) {
        public static Decision forward(String apiKey) {
            return new Decision(apiKey, null);
        }

        public static Decision refuse(Refusal refusal) {
            return new Decision(null, refusal);
        }

        @Override
        public String toString() {
            return refusal == null ? "forward" : "refuse " + refusal.status(); // never the key
        }
    }
}
