package dev.sessionops.claude.api.v1alpha1;

import io.fabric8.generator.annotation.Required;

/** A reference to an object of a known kind in the same namespace. */
public class NameRef {
    @Required
    private String name;

    public NameRef() {
    }

    public NameRef(String name) {
        this.name = name;
    }

    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
}
