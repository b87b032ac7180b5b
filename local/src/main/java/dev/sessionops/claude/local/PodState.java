package dev.sessionops.claude.local;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A pod's status as the kubelet reports it: phase, conditions and one state per container. */
final class PodState {
    private final Map<String, String> images = new LinkedHashMap<>();
    private final Map<String, ContainerState> initStates = new LinkedHashMap<>();
    private final Map<String, ContainerState> mainStates = new LinkedHashMap<>();
    private String phase = "Pending";
    private String unschedulableMessage;
    private String startTime;

    PodState(Pod pod) {
        List<Container> init = pod.getSpec().getInitContainers();
        init.forEach(c -> initStates.put(c.getName(), waiting("PodInitializing", null)));
        pod.getSpec().getContainers().forEach(c -> mainStates.put(c.getName(),
                waiting(init.isEmpty() ? "ContainerCreating" : "PodInitializing", null)));
        init.forEach(c -> images.put(c.getName(), c.getImage()));
        pod.getSpec().getContainers().forEach(c -> images.put(c.getName(), c.getImage()));
    }

    static String now() {
        return timestamp(Instant.now());
    }

    static String timestamp(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private String lastWaiting;

    synchronized String phase() {
        return phase;
    }

    /**
     * The pod cannot start yet (a missing Secret, ConfigMap or claim): shown as a real kubelet shows it, Unschedulable
     * or a container waiting with the reason. A pod retries every half second, so only a new reason is news.
     *
     * @return true when the reason changed and the status should be written
     */
    synchronized boolean cannotStartYet(PodNotReady notReady) {
        String waiting = notReady.reason + ": " + notReady.getMessage();
        if (waiting.equals(lastWaiting)) {
            return false;
        }
        lastWaiting = waiting;
        if (notReady.unschedulable) {
            unschedulable(notReady.getMessage());
        } else {
            waitingToStart(notReady.reason, notReady.getMessage());
        }
        return true;
    }

    /** Why the pod has not started, or null. */
    synchronized String lastWaiting() {
        return lastWaiting;
    }

    synchronized void unschedulable(String message) {
        unschedulableMessage = message;
    }

    /** Every container that has not started waits with this reason (e.g. CreateContainerConfigError). */
    synchronized void waitingToStart(String reason, String message) {
        unschedulableMessage = null;
        for (Map<String, ContainerState> states : List.of(initStates, mainStates)) {
            states.replaceAll((name, state) -> state.getWaiting() != null ? waiting(reason, message) : state);
        }
    }

    synchronized void running(String container, Instant startedAt) {
        unschedulableMessage = null;
        if (startTime == null) {
            startTime = timestamp(startedAt);
        }
        boolean init = initStates.containsKey(container);
        if (!init) {
            phase = "Running";
        }
        states(container).put(container, new ContainerStateBuilder().withNewRunning()
                .withStartedAt(timestamp(startedAt)).endRunning().build());
    }

    synchronized void terminated(String container, int exitCode, String reason, String message, Instant startedAt) {
        states(container).put(container, new ContainerStateBuilder().withNewTerminated().withExitCode(exitCode)
                .withReason(reason).withMessage(message).withStartedAt(timestamp(startedAt)).withFinishedAt(now())
                .withContainerID("local://" + container).endTerminated().build());
    }

    synchronized void finished(boolean succeeded) {
        phase = succeeded ? "Succeeded" : "Failed";
    }

    synchronized PodStatus toStatus() {
        boolean initialized = initStates.values().stream().allMatch(s -> s.getTerminated() != null
                && s.getTerminated().getExitCode() == 0);
        boolean ready = "Running".equals(phase) && mainStates.values().stream().allMatch(s -> s.getRunning() != null);
        List<PodCondition> conditions = new ArrayList<>();
        if (unschedulableMessage != null) {
            conditions.add(condition("PodScheduled", false, "Unschedulable", unschedulableMessage));
        } else {
            conditions.add(condition("PodScheduled", true, null, null));
            conditions.add(condition("Initialized", initialized, initialized ? null : "ContainersNotInitialized", null));
            String notReady = phase.equals("Succeeded") || phase.equals("Failed") ? "PodCompleted" : "ContainersNotReady";
            conditions.add(condition("ContainersReady", ready, ready ? null : notReady, null));
            conditions.add(condition("Ready", ready, ready ? null : notReady, null));
        }
        PodStatusBuilder status = new PodStatusBuilder().withPhase(phase).withConditions(conditions)
                .withQosClass("BestEffort");
        if (unschedulableMessage == null) {
            status.withHostIP(LocalKubelet.NODE_IP).withPodIP(LocalKubelet.NODE_IP)
                    .withPodIPs(new PodIPBuilder().withIp(LocalKubelet.NODE_IP).build()).withStartTime(startTime)
                    .withInitContainerStatuses(statuses(initStates)).withContainerStatuses(statuses(mainStates));
        }
        return status.build();
    }

    private List<ContainerStatus> statuses(Map<String, ContainerState> states) {
        List<ContainerStatus> list = new ArrayList<>();
        states.forEach((name, state) -> list.add(new ContainerStatusBuilder().withName(name).withImage(images.get(name))
                .withImageID("").withRestartCount(0).withState(state).withReady(state.getRunning() != null
                        || state.getTerminated() != null && initStates.containsKey(name) && state.getTerminated().getExitCode() == 0)
                .withStarted(state.getRunning() != null)
                .withContainerID(state.getTerminated() != null || state.getRunning() != null ? "local://" + name : null)
                .build()));
        return list;
    }

    private Map<String, ContainerState> states(String container) {
        return initStates.containsKey(container) ? initStates : mainStates;
    }

    private static ContainerState waiting(String reason, String message) {
        return new ContainerStateBuilder().withNewWaiting().withReason(reason).withMessage(message).endWaiting().build();
    }

    private static PodCondition condition(String type, boolean status, String reason, String message) {
        return new PodConditionBuilder().withType(type).withStatus(status ? "True" : "False").withReason(reason)
                .withMessage(message).withLastTransitionTime(now()).withLastProbeTime(null).build();
    }
}
