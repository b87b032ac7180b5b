package dev.sessionops.claude.local;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Backs a pod's volumes with host directories: a claim is one directory per (namespace, claimName) shared by every
 * pod that mounts it (that is what carries CLI state from one Job to the next), emptyDir a fresh directory per pod,
 * configMap and secret volumes files written from the API objects.
 */
final class PodVolumes {
    /** One volumeMount of a container: what appears at {@code mountPath}. */
    record Mount(String mountPath, Path source, boolean readOnly) {
    }

    private static final int DEFAULT_MODE = 0644;

    private final KubernetesClient client;
    private final ContainerEnv sources;
    private final Path claimsRoot;

    PodVolumes(KubernetesClient client, ContainerEnv sources, Path claimsRoot) {
        this.client = client;
        this.sources = sources;
        this.claimsRoot = claimsRoot;
    }

    Path claimDir(String namespace, String claimName) {
        return claimsRoot.resolve(namespace).resolve(claimName);
    }

    /** Volume name → host directory; writes configMap and secret contents under {@code podDir}. */
    Map<String, Path> prepare(Pod pod, Path podDir) throws PodNotReady {
        String namespace = pod.getMetadata().getNamespace();
        Map<String, Path> dirs = new HashMap<>();
        for (Volume volume : pod.getSpec().getVolumes()) {
            Path dir;
            if (volume.getPersistentVolumeClaim() != null) {
                String claim = volume.getPersistentVolumeClaim().getClaimName();
                if (client.persistentVolumeClaims().inNamespace(namespace).withName(claim).get() == null) {
                    throw PodNotReady.unschedulable("persistentvolumeclaim \"" + claim + "\" not found");
                }
                dir = claimDir(namespace, claim);
            } else if (volume.getEmptyDir() != null) {
                dir = podDir.resolve("empty-dir").resolve(volume.getName());
            } else if (volume.getConfigMap() != null) {
                var cm = volume.getConfigMap();
                dir = podDir.resolve("volumes").resolve(volume.getName());
                Map<String, String> data = sources.configMapData(namespace, cm.getName(), cm.getOptional());
                writeFiles(dir, data, cm.getItems(), cm.getDefaultMode(), "configmap", cm.getName(), cm.getOptional(), volume);
            } else if (volume.getSecret() != null) {
                var secret = volume.getSecret();
                dir = podDir.resolve("volumes").resolve(volume.getName());
                Map<String, String> data = sources.secretData(namespace, secret.getSecretName(), secret.getOptional());
                writeFiles(dir, data, secret.getItems(), secret.getDefaultMode(), "secret", secret.getSecretName(),
                        secret.getOptional(), volume);
            } else {
                throw PodNotReady.mountError("LocalKubelet does not support volume \"" + volume.getName() + "\": " + volume);
            }
            createDirectories(dir);
            dirs.put(volume.getName(), dir);
        }
        return dirs;
    }

    /** The container's mounts, longest mountPath last so nested mounts land on top; subPath directories created. */
    List<Mount> mounts(Pod pod, Container container, Map<String, Path> volumeDirs) throws PodNotReady {
        List<Mount> mounts = new ArrayList<>();
        for (VolumeMount vm : container.getVolumeMounts()) {
            Path dir = volumeDirs.get(vm.getName());
            if (dir == null) {
                throw PodNotReady.configError("volumeMount \"" + vm.getName() + "\" has no volume in pod "
                        + pod.getMetadata().getName());
            }
            if (!vm.getMountPath().startsWith("/")) {
                throw PodNotReady.configError("mountPath " + vm.getMountPath() + " is not absolute");
            }
            Path source = dir;
            String subPath = vm.getSubPath();
            if (subPath != null && !subPath.isEmpty()) {
                if (subPath.startsWith("/") || Path.of(subPath).normalize().startsWith("..")) {
                    throw PodNotReady.configError("invalid subPath " + subPath);
                }
                source = dir.resolve(subPath);
                if (!Files.isRegularFile(source)) {
                    createDirectories(source);
                }
            }
            mounts.add(new Mount(vm.getMountPath(), source, Boolean.TRUE.equals(vm.getReadOnly()) || isReadOnly(pod, vm)));
        }
        mounts.sort((a, b) -> Integer.compare(a.mountPath().length(), b.mountPath().length()));
        return mounts;
    }

    private static boolean isReadOnly(Pod pod, VolumeMount vm) {
        return pod.getSpec().getVolumes().stream().filter(v -> v.getName().equals(vm.getName())).anyMatch(v ->
                v.getConfigMap() != null || v.getSecret() != null
                        || v.getPersistentVolumeClaim() != null && Boolean.TRUE.equals(v.getPersistentVolumeClaim().getReadOnly()));
    }

    private static void writeFiles(Path dir, Map<String, String> data, List<KeyToPath> items, Integer defaultMode,
            String kind, String name, Boolean optional, Volume volume) throws PodNotReady {
        if (data == null) {
            return; // optional and missing: an empty volume
        }
        if (items.isEmpty()) {
            for (var entry : data.entrySet()) {
                write(dir.resolve(entry.getKey()), entry.getValue(), defaultMode);
            }
            return;
        }
        for (KeyToPath item : items) {
            if (!data.containsKey(item.getKey())) {
                if (Boolean.TRUE.equals(optional)) {
                    continue;
                }
                throw PodNotReady.mountError("MountVolume.SetUp failed for volume \"" + volume.getName() + "\" : "
                        + kind + " " + name + " has no key " + item.getKey());
            }
            write(dir.resolve(item.getPath()), data.get(item.getKey()), item.getMode() != null ? item.getMode() : defaultMode);
        }
    }

    private static void write(Path file, String content, Integer mode) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(file, permissions(mode == null ? DEFAULT_MODE : mode));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
                PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
                PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ };
        for (int bit = 0; bit < order.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                set.add(order[bit]);
            }
        }
        return set;
    }

    static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
