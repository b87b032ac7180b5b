package dev.sessionops.claude.api.v1alpha1;

import io.fabric8.generator.annotation.ValidationRule;

/** The working tree the CLI runs in; without git or volumeClaim it is an empty directory on the state volume. */
@ValidationRule(value = "!(has(self.git) && has(self.volumeClaim))", message = "workspace takes git or volumeClaim, not both")
public class Workspace {
    private GitWorkspace git;
    private VolumeClaimWorkspace volumeClaim;
    /** Room the worktree needs, e.g. {@code 5Gi}: the state volume that holds it is made at least this large. */
    private String size;
    private String storageClassName;

    public GitWorkspace getGit() { return git; }
    public void setGit(GitWorkspace git) { this.git = git; }
    public VolumeClaimWorkspace getVolumeClaim() { return volumeClaim; }
    public void setVolumeClaim(VolumeClaimWorkspace volumeClaim) { this.volumeClaim = volumeClaim; }
    public String getSize() { return size; }
    public void setSize(String size) { this.size = size; }
    public String getStorageClassName() { return storageClassName; }
    public void setStorageClassName(String storageClassName) { this.storageClassName = storageClassName; }
}
