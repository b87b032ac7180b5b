package dev.sessionops.claude.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A multi-turn Claude Code conversation: its messages run one after another, each resuming the previous one. */
@Group(ClaudeSession.GROUP)
@Version(ClaudeSession.VERSION)
@Plural("claudesessions")
@ShortNames("csess")
@AdditionalPrinterColumn(name = "Messages", jsonPath = ".status.messageCount", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Session ID", jsonPath = ".status.currentSessionId", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Last Active", jsonPath = ".status.lastActive", type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class ClaudeSession extends CustomResource<ClaudeSessionSpec, ClaudeSessionStatus> implements Namespaced {
    public static final String GROUP = "claude.sessionops.dev";
    public static final String KIND = "ClaudeSession";
    public static final String VERSION = "v1alpha1";

    @Override
    protected ClaudeSessionSpec initSpec() {
        return new ClaudeSessionSpec();
    }

    @Override
    protected ClaudeSessionStatus initStatus() {
        return new ClaudeSessionStatus();
    }
}
