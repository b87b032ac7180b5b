package dev.sessionops.claude.api.v1alpha1;

import io.fabric8.generator.annotation.Required;

/** An existing PersistentVolumeClaim mounted as the workspace. */
public class VolumeClaimWorkspace {
    @Required
    private String claimName;
    private String subPath;

    public String getClaimName() { return claimName; }
    public void setClaimName(String claimName) { this.claimName = claimName; }
    public String getSubPath() { return subPath; }
    public void setSubPath(String subPath) { this.subPath = subPath; }
}
