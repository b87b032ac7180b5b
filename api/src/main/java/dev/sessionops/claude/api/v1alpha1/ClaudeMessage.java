package dev.sessionops.claude.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** One prompt of a session, run as one Job of the real claude CLI. */
@Group(ClaudeSession.GROUP)
@Version(ClaudeSession.VERSION)
@Plural("claudemessages")
@ShortNames("cmsg")
@ValidationRule(value = "!has(oldSelf.status) || !has(oldSelf.status.startedAt) || self.spec == oldSelf.spec",
        message = "spec is immutable once the message has started")
@AdditionalPrinterColumn(name = "Session", jsonPath = ".spec.sessionRef.name", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Cost", jsonPath = ".status.costUsd", type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class ClaudeMessage extends CustomResource<ClaudeMessageSpec, ClaudeMessageStatus> implements Namespaced {

    @Override
    @Required
    public ClaudeMessageSpec getSpec() {
        return super.getSpec();
    }

    @Override
    protected ClaudeMessageStatus initStatus() {
        return new ClaudeMessageStatus();
    }
}
