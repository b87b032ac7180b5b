package dev.sessionops.claude.api.v1alpha1;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The effort levels the pinned CLI accepts for {@code --effort}. */
public enum Effort {
    LOW, MEDIUM, HIGH, XHIGH, MAX;

    /** The schema's pattern for the field; keep in step with the constants. */
    public static final String PATTERN = "^(low|medium|high|xhigh|max)$";

    public String cliValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Effort> fromCli(String value) {
        return Arrays.stream(values()).filter(e -> e.cliValue().equals(value)).findFirst();
    }
}
