package dev.sessionops.claude.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The permission modes the pinned CLI accepts for {@code --permission-mode}. */
public enum PermissionMode {
    @JsonProperty("acceptEdits") ACCEPT_EDITS("acceptEdits"),
    @JsonProperty("auto") AUTO("auto"),
    @JsonProperty("bypassPermissions") BYPASS_PERMISSIONS("bypassPermissions"),
    @JsonProperty("manual") MANUAL("manual"),
    @JsonProperty("dontAsk") DONT_ASK("dontAsk"),
    @JsonProperty("plan") PLAN("plan");

    private final String cliValue;

    PermissionMode(String cliValue) {
        this.cliValue = cliValue;
    }

    public String cliValue() {
        return cliValue;
    }
}
