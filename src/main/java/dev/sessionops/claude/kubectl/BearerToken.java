package dev.sessionops.claude.kubectl;

import io.fabric8.kubernetes.client.Config;

/**
 * The bearer token of the kube credentials, sent to the operator's API when its URL is given directly (it checks
 * tokens with a TokenReview). Client-certificate credentials have no token: the request then goes without one.
 */
final class BearerToken {
    private BearerToken() {
    }

    static String of(Config config) {
        try {
            if (config.getOauthTokenProvider() != null) {
                String t = config.getOauthTokenProvider().getToken();
                if (t != null && !t.isBlank()) {
                    return t;
                }
            }
        } catch (RuntimeException e) {
            // an exec or auth-provider plugin that fails: go on without a token, the API answers 401
        }
        if (config.getAutoOAuthToken() != null && !config.getAutoOAuthToken().isBlank()) {
            return config.getAutoOAuthToken();
        }
        String t = config.getOauthToken();
        return t == null || t.isBlank() ? null : t;
    }
}
