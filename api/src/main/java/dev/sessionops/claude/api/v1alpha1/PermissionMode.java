package dev.sessionops.claude.api.v1alpha1;

import java.util.Arrays;
import java.util.Optional;

/** The permission modes the pinned CLI accepts for {@code --permission-mode} (its {@code --help} lists them). */
public enum PermissionMode {
    ACCEPT_EDITS("acceptEdits"),
    AUTO("auto"),
    BYPASS_PERMISSIONS("bypassPermissions"),
    MANUAL("manual"),
    DONT_ASK("dontAsk"),
    PLAN("plan");

    /** The schema's pattern for the field; keep in step with the constants. */
    public static final String PATTERN = "^(acceptEdits|auto|bypassPermissions|manual|dontAsk|plan)$";

    private final String cliValue;

    PermissionMode(String cliValue) {
        this.cliValue = cliValue;
    }

    public String cliValue() {
        return cliValue;
    }

    public static Optional<PermissionMode> fromCli(String value) {
        return Arrays.stream(values()).filter(m -> m.cliValue.equals(value)).findFirst();
    }
}
