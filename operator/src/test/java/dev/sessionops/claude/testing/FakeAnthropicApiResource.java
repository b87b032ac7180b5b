package dev.sessionops.claude.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts the {@link FakeAnthropicApi} for the Quarkus application under test and makes every Job's environment point
 * the real CLI at it (through the operator's default env, as a platform team would set a proxy).
 */
public class FakeAnthropicApiResource implements QuarkusTestResourceLifecycleManager {
    private static volatile FakeAnthropicApi current;

    public static FakeAnthropicApi api() {
        FakeAnthropicApi api = current;
        if (api == null) {
            throw new IllegalStateException("FakeAnthropicApiResource is not started (is this a @QuarkusTest?)");
        }
        return api;
    }

    @Override
    public Map<String, String> start() {
        try {
            current = new FakeAnthropicApi().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("cso.defaults.env.ANTHROPIC_BASE_URL", current.baseUrl());
    }

    @Override
    public void stop() {
        FakeAnthropicApi api = current;
        current = null;
        if (api != null) {
            api.close();
        }
    }
}
