package dev.sessionops.claude.api.v1alpha1;

import io.fabric8.generator.annotation.Required;

/** A git repository cloned into the session's workspace on first use. */
public class GitWorkspace {
    @Required
    private String repository;
    /** The branch to check out; created from {@code baseRef} when the remote lacks it. */
    private String branch;
    private String baseRef;
    /** A Secret with {@code username} and {@code password} (or token) keys for HTTPS clones. */
    private NameRef credentialsSecretRef;

    public String getRepository() { return repository; }
    public void setRepository(String repository) { this.repository = repository; }
    public String getBranch() { return branch; }
    public void setBranch(String branch) { this.branch = branch; }
    public String getBaseRef() { return baseRef; }
    public void setBaseRef(String baseRef) { this.baseRef = baseRef; }
    public NameRef getCredentialsSecretRef() { return credentialsSecretRef; }
    public void setCredentialsSecretRef(NameRef credentialsSecretRef) { this.credentialsSecretRef = credentialsSecretRef; }
}
