package dev.sessionops.claude.events;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;

/**
 * A run's pod whose container the kubelet cannot create because its configuration cannot be made: a Secret or
 * ConfigMap an env var takes a key from is not there, or lacks the key ({@code CreateContainerConfigError}). The
 * kubelet keeps trying, so the run starts by itself once the object is there; until then the message says why.
 *
 * @param message the kubelet's words, e.g. {@code secret "anthropic" not found} or
 *                {@code couldn't find key ANTHROPIC_API_KEY in Secret team-a/anthropic}
 */
public record PodWaiting(String container, String message) {
    static final String CONFIG_ERROR = "CreateContainerConfigError";

    /** The first container, init containers first, that waits with {@code CreateContainerConfigError}. Pure. */
    public static Optional<PodWaiting> of(Pod pod) {
        if (pod.getStatus() == null) {
            return Optional.empty();
        }
        List<ContainerStatus> statuses = new ArrayList<>();
        if (pod.getStatus().getInitContainerStatuses() != null) {
            statuses.addAll(pod.getStatus().getInitContainerStatuses());
        }
        if (pod.getStatus().getContainerStatuses() != null) {
            statuses.addAll(pod.getStatus().getContainerStatuses());
        }
        return statuses.stream()
                .filter(s -> s.getState() != null && s.getState().getWaiting() != null
                        && CONFIG_ERROR.equals(s.getState().getWaiting().getReason()))
                .findFirst()
                .map(s -> new PodWaiting(s.getName(), s.getState().getWaiting().getMessage() == null ? CONFIG_ERROR
                        : s.getState().getWaiting().getMessage()));
    }

    /** The kubelet's message is about this Secret (missing, or missing a key). */
    public boolean isAboutSecret(String namespace, String name) {
        if (message.contains("secret \"" + name + "\"")) {
            return true;
        }
        String named = "Secret " + namespace + "/" + name;
        for (int at = message.indexOf(named); at >= 0; at = message.indexOf(named, at + 1)) {
            int end = at + named.length();
            // the whole name, not a prefix of another Secret's
            if (end == message.length() || !Character.isLetterOrDigit(message.charAt(end)) && message.charAt(end) != '-'
                    && message.charAt(end) != '.') {
                return true;
            }
        }
        return false;
    }
}
