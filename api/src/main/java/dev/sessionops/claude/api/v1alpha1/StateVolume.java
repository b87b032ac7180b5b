package dev.sessionops.claude.api.v1alpha1;

/** The per-session PersistentVolumeClaim holding the CLI's config dir (transcripts for --resume). */
public class StateVolume {
    private String size;
    private String storageClassName;

    public String getSize() { return size; }
    public void setSize(String size) { this.size = size; }
    public String getStorageClassName() { return storageClassName; }
    public void setStorageClassName(String storageClassName) { this.storageClassName = storageClassName; }
}
