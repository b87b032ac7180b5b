package dev.sessionops.claude.local;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapKeySelector;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves a container's {@code envFrom} and {@code env} like the kubelet: Secrets and ConfigMaps read through the
 * API, a missing required source is a {@code CreateContainerConfigError} with the kubelet's wording.
 */
final class ContainerEnv {
    private static final Pattern MAP_FIELD = Pattern.compile("metadata\\.(labels|annotations)\\['(.+)'\\]");

    private final KubernetesClient client;

    ContainerEnv(KubernetesClient client) {
        this.client = client;
    }

    LinkedHashMap<String, String> resolve(Pod pod, Container container) throws PodNotReady {
        String namespace = pod.getMetadata().getNamespace();
        LinkedHashMap<String, String> env = new LinkedHashMap<>();
        for (EnvFromSource from : container.getEnvFrom()) {
            String prefix = from.getPrefix() == null ? "" : from.getPrefix();
            Map<String, String> values = null;
            if (from.getSecretRef() != null) {
                values = secretData(namespace, from.getSecretRef().getName(), from.getSecretRef().getOptional());
            } else if (from.getConfigMapRef() != null) {
                values = configMapData(namespace, from.getConfigMapRef().getName(), from.getConfigMapRef().getOptional());
            }
            if (values != null) {
                values.forEach((k, v) -> env.put(prefix + k, v));
            }
        }
        for (EnvVar var : container.getEnv()) {
            if (var.getValueFrom() == null) {
                env.put(var.getName(), VarExpansion.expand(var.getValue() == null ? "" : var.getValue(), env));
                continue;
            }
            String value = valueFrom(pod, var.getValueFrom());
            if (value != null) {
                env.put(var.getName(), value);
            }
        }
        return env;
    }

    private String valueFrom(Pod pod, EnvVarSource source) throws PodNotReady {
        String namespace = pod.getMetadata().getNamespace();
        if (source.getSecretKeyRef() != null) {
            SecretKeySelector ref = source.getSecretKeyRef();
            Map<String, String> data = secretData(namespace, ref.getName(), ref.getOptional());
            return key(data, ref.getKey(), ref.getOptional(), "Secret", namespace, ref.getName());
        }
        if (source.getConfigMapKeyRef() != null) {
            ConfigMapKeySelector ref = source.getConfigMapKeyRef();
            Map<String, String> data = configMapData(namespace, ref.getName(), ref.getOptional());
            return key(data, ref.getKey(), ref.getOptional(), "ConfigMap", namespace, ref.getName());
        }
        if (source.getFieldRef() != null) {
            return field(pod, source.getFieldRef().getFieldPath());
        }
        throw PodNotReady.configError("LocalKubelet does not support env source " + source);
    }

    private static String key(Map<String, String> data, String key, Boolean optional, String kind, String namespace,
            String name) throws PodNotReady {
        if (data == null) {
            return null;
        }
        if (!data.containsKey(key) && !Boolean.TRUE.equals(optional)) {
            throw PodNotReady.configError("couldn't find key " + key + " in " + kind + " " + namespace + "/" + name);
        }
        return data.get(key);
    }

    /** The Secret's decoded data, or null when it is missing and optional. */
    Map<String, String> secretData(String namespace, String name, Boolean optional) throws PodNotReady {
        Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
        if (secret == null) {
            if (Boolean.TRUE.equals(optional)) {
                return null;
            }
            throw PodNotReady.configError("secret \"" + name + "\" not found");
        }
        Map<String, String> data = new LinkedHashMap<>();
        if (secret.getData() != null) {
            secret.getData().forEach((k, v) -> data.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        }
        // the mock server keeps stringData as posted instead of folding it into data
        if (secret.getStringData() != null) {
            data.putAll(secret.getStringData());
        }
        return data;
    }

    /** The ConfigMap's data, or null when it is missing and optional. */
    Map<String, String> configMapData(String namespace, String name, Boolean optional) throws PodNotReady {
        ConfigMap configMap = client.configMaps().inNamespace(namespace).withName(name).get();
        if (configMap == null) {
            if (Boolean.TRUE.equals(optional)) {
                return null;
            }
            throw PodNotReady.configError("configmap \"" + name + "\" not found");
        }
        Map<String, String> data = new LinkedHashMap<>();
        if (configMap.getData() != null) {
            data.putAll(configMap.getData());
        }
        if (configMap.getBinaryData() != null) {
            configMap.getBinaryData().forEach((k, v) -> data.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        }
        return data;
    }

    private static String field(Pod pod, String path) throws PodNotReady {
        switch (path) {
            case "metadata.name":
                return pod.getMetadata().getName();
            case "metadata.namespace":
                return pod.getMetadata().getNamespace();
            case "metadata.uid":
                return pod.getMetadata().getUid();
            case "spec.nodeName":
                return pod.getSpec().getNodeName();
            case "spec.serviceAccountName":
                return pod.getSpec().getServiceAccountName();
            case "status.podIP":
            case "status.hostIP":
            case "status.podIPs":
            case "status.hostIPs":
                return LocalKubelet.NODE_IP;
            default:
                Matcher m = MAP_FIELD.matcher(path);
                if (m.matches()) {
                    Map<String, String> map = m.group(1).equals("labels") ? pod.getMetadata().getLabels()
                            : pod.getMetadata().getAnnotations();
                    return map == null ? "" : map.getOrDefault(m.group(2), "");
                }
                throw PodNotReady.configError("LocalKubelet does not support fieldRef " + path);
        }
    }
}
