package dev.sessionops.claude.api.v1alpha1;

import io.fabric8.generator.annotation.Required;

/** Where a prompt file (optionally with YAML front matter) is read from. */
public class PromptSource {
    @Required
    private KeyRef configMapKeyRef;

    public PromptSource() {
    }

    public PromptSource(KeyRef configMapKeyRef) {
        this.configMapKeyRef = configMapKeyRef;
    }

    public KeyRef getConfigMapKeyRef() { return configMapKeyRef; }
    public void setConfigMapKeyRef(KeyRef configMapKeyRef) { this.configMapKeyRef = configMapKeyRef; }
}
