package dev.sessionops.claude.message;

import dev.sessionops.claude.limits.NamespaceLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.sessionops.claude.OperatorConfig;
import dev.sessionops.claude.api.v1alpha1.ClaudeSessionSpec;
import dev.sessionops.claude.api.v1alpha1.Durations;
import dev.sessionops.claude.api.v1alpha1.RunSettings;

/**
 * The platform team's limits on what a run may do ({@code cso.policy.*}), checked on what a message actually runs
 * with after merging the operator's defaults, its session, its prompt file and itself; and the session's own limits,
 * which a message may lower but not raise (a budget, a number of turns, a deadline; bypassing permissions). The
 * reconciler enforces them whatever admitted the objects. Pure.
 *
 * @param images            image prefixes a run may use (empty: any)
 * @param serviceAccounts   service accounts a session may name (empty: none but the operator's default)
 * @param deniedPermissionModes permission modes no run may use
 */
public record RunPolicy(List<String> images, List<String> serviceAccounts, List<String> deniedPermissionModes,
        Optional<Double> maxBudgetUsd, Optional<Integer> maxTurns, Optional<Duration> maxTimeout, Placement placement) {

    /**
     * What a session may say about where and how its pods appear, key by key (empty: nothing): tolerations reach
     * tainted nodes (dedicated, GPU), node selectors pick nodes, pod labels match other apps' NetworkPolicy rules,
     * pod annotations steer admission plugins and meshes (an IAM role, a sidecar).
     */
    public record Placement(List<String> tolerationKeys, List<String> nodeSelectorKeys, List<String> podLabelKeys,
            List<String> podAnnotationKeys) {
        public Placement {
            tolerationKeys = List.copyOf(tolerationKeys);
            nodeSelectorKeys = List.copyOf(nodeSelectorKeys);
            podLabelKeys = List.copyOf(podLabelKeys);
            podAnnotationKeys = List.copyOf(podAnnotationKeys);
        }

        static final Placement NONE = new Placement(List.of(), List.of(), List.of(), List.of());
    }

    public RunPolicy {
        images = List.copyOf(images);
        serviceAccounts = List.copyOf(serviceAccounts);
        deniedPermissionModes = List.copyOf(deniedPermissionModes);
    }

    public RunPolicy(List<String> images, List<String> serviceAccounts, List<String> deniedPermissionModes,
            Optional<Double> maxBudgetUsd, Optional<Integer> maxTurns, Optional<Duration> maxTimeout) {
        this(images, serviceAccounts, deniedPermissionModes, maxBudgetUsd, maxTurns, maxTimeout, Placement.NONE);
    }

    public static RunPolicy of(OperatorConfig.Policy p) {
        return new RunPolicy(p.allowedImages().orElse(List.of()), p.allowedServiceAccounts().orElse(List.of()),
                p.deniedPermissionModes().orElse(List.of()), p.maxBudgetUsd(), p.maxTurns(), p.maxTimeout(),
                new Placement(p.allowedTolerationKeys().orElse(List.of()), p.allowedNodeSelectorKeys().orElse(List.of()),
                        p.allowedPodLabelKeys().orElse(List.of()), p.allowedPodAnnotationKeys().orElse(List.of())));
    }

    /** This policy with a namespace's own limits where they are lower (they never raise a ceiling). */
    public RunPolicy tightenedBy(NamespaceLimits limits) {
        if (limits.equals(NamespaceLimits.NONE)) {
            return this;
        }
        return new RunPolicy(images, serviceAccounts, deniedPermissionModes,
                lower(maxBudgetUsd, limits.maxBudgetUsd()), lower(maxTurns, limits.maxTurns()),
                lower(maxTimeout, limits.maxTimeout()), placement);
    }

    private static <T extends Comparable<T>> Optional<T> lower(Optional<T> a, Optional<T> b) {
        if (a.isEmpty() || b.isEmpty()) {
            return a.isPresent() ? a : b;
        }
        return a.get().compareTo(b.get()) <= 0 ? a : b;
    }

    /** Every toleration, node selector, pod label and annotation key of the session the policy does not list. */
    public List<String> placementViolations(ClaudeSessionSpec session) {
        List<String> out = new ArrayList<>();
        if (session.getTolerations() != null) {
            for (var t : session.getTolerations()) {
                // a toleration without a key tolerates every taint: the policy lists it as "*"
                String key = t.getKey() == null || t.getKey().isEmpty() ? "*" : t.getKey();
                if (!placement.tolerationKeys().contains(key)) {
                    out.add("toleration " + (key.equals("*") ? "of every taint (no key)" : key) + " is not one the policy allows");
                }
            }
        }
        keys(out, "nodeSelector", session.getNodeSelector(), placement.nodeSelectorKeys());
        keys(out, "podLabels", session.getPodLabels(), placement.podLabelKeys());
        keys(out, "podAnnotations", session.getPodAnnotations(), placement.podAnnotationKeys());
        return out;
    }

    private static void keys(List<String> out, String field, java.util.Map<String, String> set, List<String> allowed) {
        if (set != null) {
            set.keySet().stream().filter(k -> !allowed.contains(k)).sorted()
                    .forEach(k -> out.add(field + " key " + k + " is not one the policy allows"));
        }
    }

    /** A run that sets no budget, turns or deadline of its own gets the policy's ceiling as its own. */
    public void applyCeilings(RunSettings effective) {
        maxBudgetUsd.filter(max -> effective.getMaxBudgetUsd() == null).ifPresent(effective::setMaxBudgetUsd);
        maxTurns.filter(max -> effective.getMaxTurns() == null).ifPresent(effective::setMaxTurns);
        maxTimeout.filter(max -> effective.getTimeout() == null).ifPresent(max -> effective.setTimeout(max.toSeconds() + "s"));
    }

    /**
     * Every way the run breaks the policy or its session's limits; empty when it keeps to them.
     *
     * @param session        the session's own settings (null: a one-shot message)
     * @param image          the image the run uses
     * @param serviceAccount the service account the session names (null: the operator's default)
     */
    public List<String> violations(RunSettings effective, RunSettings session, String image, String serviceAccount) {
        List<String> out = new ArrayList<>();
        if (!images.isEmpty() && images.stream().noneMatch(image::startsWith)) {
            out.add("image " + image + " is not one the policy allows (" + String.join(", ", images) + ")");
        }
        if (serviceAccount != null && !serviceAccounts.contains(serviceAccount)) {
            out.add("serviceAccountName " + serviceAccount + " is not one the policy allows"
                    + (serviceAccounts.isEmpty() ? " (none may be named)" : " (" + String.join(", ", serviceAccounts) + ")"));
        }
        String mode = effective.getPermissionMode();
        if (mode != null && deniedPermissionModes.contains(mode)) {
            out.add("permissionMode " + mode + " is denied by the policy");
        }
        maxBudgetUsd.filter(max -> effective.getMaxBudgetUsd() == null || effective.getMaxBudgetUsd() > max)
                .ifPresent(max -> out.add("maxBudgetUsd " + shown(effective.getMaxBudgetUsd()) + " is above the policy's "
                        + max + " (set one at most that)"));
        maxTurns.filter(max -> effective.getMaxTurns() == null || effective.getMaxTurns() > max)
                .ifPresent(max -> out.add("maxTurns " + shown(effective.getMaxTurns()) + " is above the policy's " + max));
        Duration timeout = effective.getTimeout() == null ? null : Duration.ofSeconds(Durations.parseSeconds(effective.getTimeout()));
        maxTimeout.filter(max -> timeout == null || timeout.compareTo(max) > 0)
                .ifPresent(max -> out.add("timeout " + effective.getTimeout() + " is above the policy's " + max));
        if (session != null) {
            above(out, "maxBudgetUsd", effective.getMaxBudgetUsd(), session.getMaxBudgetUsd());
            above(out, "maxTurns", effective.getMaxTurns(), session.getMaxTurns());
            if (session.getTimeout() != null && timeout != null) {
                long limit;
                try {
                    limit = Durations.parseSeconds(session.getTimeout());
                } catch (IllegalArgumentException e) {
                    limit = -1; // an API server without the schema let it through: no run exceeds a limit it cannot read
                }
                if (timeout.getSeconds() > limit) {
                    out.add("timeout " + effective.getTimeout() + " is above its session's " + session.getTimeout());
                }
            }
            if ("bypassPermissions".equals(mode) && !"bypassPermissions".equals(session.getPermissionMode())) {
                out.add("permissionMode bypassPermissions is more than its session allows");
            }
        }
        return out;
    }

    private static void above(List<String> out, String field, Number value, Number sessionLimit) {
        if (sessionLimit != null && (value == null || value.doubleValue() > sessionLimit.doubleValue())) {
            out.add(field + " " + shown(value) + " is above its session's " + shown(sessionLimit));
        }
    }

    private static String shown(Object value) {
        return value == null ? "(unlimited)" : value.toString();
    }
}
