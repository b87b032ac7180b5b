package dev.sessionops.claude.testing;

import java.time.Duration;

import dev.sessionops.claude.OperatorConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfigBuilder;

/** The operator's configuration outside Quarkus: its defaults, plus what a test sets. */
public final class TestOperatorConfig {
    private TestOperatorConfig() {
    }

    /** @param properties pairs of property name and value, e.g. {@code "cso.defaults.credentials-secret", "anthropic"} */
    public static OperatorConfig with(String... properties) {
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder().addDefaultInterceptors()
                .withConverter(Duration.class, 100, new DurationConverter()).withMapping(OperatorConfig.class);
        for (int i = 0; i + 1 < properties.length; i += 2) {
            builder.withDefaultValue(properties[i], properties[i + 1]);
        }
        return builder.build().getConfigMapping(OperatorConfig.class);
    }
}
