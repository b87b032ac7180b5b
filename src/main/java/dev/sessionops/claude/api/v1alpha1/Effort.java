package dev.sessionops.claude.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The effort levels the pinned CLI accepts for {@code --effort}. */
public enum Effort {
    @JsonProperty("low") LOW,
    @JsonProperty("medium") MEDIUM,
    @JsonProperty("high") HIGH,
    @JsonProperty("xhigh") XHIGH,
    @JsonProperty("max") MAX;

    public String cliValue() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
