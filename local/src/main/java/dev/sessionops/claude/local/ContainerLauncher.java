package dev.sessionops.claude.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.sessionops.claude.local.PodVolumes.Mount;

/**
 * Starts a container's process. As root it runs in its own mount and PID namespace ({@code unshare}) with every
 * volume bind-mounted at its real mountPath, then drops to runAsUser with {@code setpriv}; the PID namespace ends
 * every leftover child when the main process exits, like a container. Elsewhere it rewrites mount paths in the
 * working dir, env and args to the host directories instead.
 */
final class ContainerLauncher {
    private static final Logger LOG = Logger.getLogger(LocalKubelet.class.getName());

    /** Fixed script: all values arrive as positional parameters, nothing from the pod is spliced into it. */
    private static final String WRAPPER = String.join("\n",
            "set -e",
            "while [ \"$1\" != -- ]; do",
            "  if [ -f \"$3\" ]; then mkdir -p \"$(dirname \"$4\")\"; [ -e \"$4\" ] || : > \"$4\"; else mkdir -p \"$4\"; fi",
            "  mount --bind \"$3\" \"$4\"",
            "  if [ \"$2\" = ro ]; then mount -o remount,bind,ro \"$4\"; fi",
            "  shift 4",
            "done",
            "mkdir -p \"$2\"; cd \"$2\"",
            "uid=$3 gid=$4 groups=$5 nnp=$6",
            "shift 7",
            "if [ -z \"$uid\" ] || [ \"$uid\" = 0 ]; then echo 'local-kubelet: refusing uid 0' >&2; exit 126; fi",
            "if [ \"$nnp\" = yes ]; then exec setpriv --reuid=\"$uid\" --regid=\"$gid\" \"$groups\" --no-new-privs -- \"$@\"; fi",
            "exec setpriv --reuid=\"$uid\" --regid=\"$gid\" \"$groups\" -- \"$@\"");
    private static final List<String> UNSHARE = List.of("unshare", "--mount", "--propagation", "private", "--pid",
            "--fork", "--kill-child", "--mount-proc");

    /** What to run; {@code uid} null means the harness's own user (only when that is not root). */
    record LaunchSpec(List<String> argv, Map<String, String> env, String workingDir, List<Mount> mounts, Long uid,
            Long gid, List<Long> groups, boolean noNewPrivs) {
    }

    /** The executable could not be found or started (the kubelet's StartError). */
    static final class StartError extends Exception {
        StartError(String message) {
            super(message);
        }
    }

    final boolean isolated;
    private final boolean root;

    private ContainerLauncher(boolean isolated, boolean root) {
        this.isolated = isolated;
        this.root = root;
    }

    static ContainerLauncher detect(boolean forcePathRewrite) {
        boolean root = new com.sun.security.auth.module.UnixSystem().getUid() == 0;
        if (forcePathRewrite) {
            LOG.info("LocalKubelet: rewriting mount paths to host directories (asked for)");
            return new ContainerLauncher(false, root);
        }
        String why = root ? probeUnshare() : "not running as root";
        if (why == null) {
            return new ContainerLauncher(true, true);
        }
        LOG.warning("LocalKubelet: volumes cannot be mounted at their mountPaths (" + why
                + "); rewriting mount paths in workingDir, env and args to host directories instead");
        return new ContainerLauncher(false, root);
    }

    private static String probeUnshare() {
        try {
            List<String> probe = new ArrayList<>(UNSHARE);
            probe.add("true");
            Process p = new ProcessBuilder(probe).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? null : "unshare failed: " + out.strip();
        } catch (IOException e) {
            return "unshare not available: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** The spec as the process will see it: unchanged when isolated, mount paths replaced by host paths otherwise. */
    LaunchSpec processView(LaunchSpec spec) {
        if (isolated || spec.mounts().isEmpty()) {
            return spec;
        }
        List<Mount> longestFirst = spec.mounts().stream()
                .sorted(Comparator.comparingInt((Mount m) -> m.mountPath().length()).reversed()).toList();
        Pattern pattern = Pattern.compile("(?<![\\w./-])(" + longestFirst.stream()
                .map(m -> Pattern.quote(m.mountPath().replaceAll("/+$", ""))).collect(Collectors.joining("|")) + ")(?![\\w.-])");
        Map<String, String> hostPath = new LinkedHashMap<>();
        longestFirst.forEach(m -> hostPath.put(m.mountPath().replaceAll("/+$", ""), m.source().toString()));
        java.util.function.UnaryOperator<String> rewrite = s -> {
            Matcher m = pattern.matcher(s);
            return m.replaceAll(r -> Matcher.quoteReplacement(hostPath.get(r.group(1))));
        };
        Map<String, String> env = new LinkedHashMap<>();
        spec.env().forEach((k, v) -> env.put(k, rewrite.apply(v)));
        return new LaunchSpec(spec.argv().stream().map(rewrite).toList(), env, rewrite.apply(spec.workingDir()),
                spec.mounts(), spec.uid(), spec.gid(), spec.groups(), spec.noNewPrivs());
    }

    /** Starts the process with stderr merged into stdout, like a pod log. */
    Process start(LaunchSpec spec) throws StartError {
        String executable = spec.argv().get(0);
        Path resolved = resolve(executable, spec.env().get("PATH"));
        if (resolved == null) {
            throw new StartError("exec: \"" + executable + "\": executable file not found in $PATH");
        }
        if (root && (spec.uid() == null || spec.uid() == 0)) {
            throw new StartError("refusing to run a container as uid 0"); // PodPlanner never asks for it
        }
        List<String> command = new ArrayList<>();
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (isolated) {
            command.addAll(UNSHARE);
            command.addAll(List.of("--", "/bin/sh", "-c", WRAPPER, "local-kubelet"));
            for (Mount mount : spec.mounts()) {
                command.addAll(List.of("mount", mount.readOnly() ? "ro" : "rw", mount.source().toString(), mount.mountPath()));
            }
            command.addAll(List.of("--", spec.workingDir(), spec.uid().toString(),
                    String.valueOf(spec.gid() == null ? 0 : spec.gid()), groupsOption(spec.groups()),
                    spec.noNewPrivs() ? "yes" : "no", "--"));
            command.addAll(spec.argv());
        } else {
            if (root) {
                command.addAll(List.of("setpriv", "--reuid=" + spec.uid(), "--regid=" + (spec.gid() == null ? 0 : spec.gid()),
                        groupsOption(spec.groups())));
                if (spec.noNewPrivs()) {
                    command.add("--no-new-privs");
                }
                command.add("--");
            }
            command.add(resolved.toString());
            command.addAll(spec.argv().subList(1, spec.argv().size()));
            Path dir = Path.of(spec.workingDir());
            PodVolumes.createDirectories(dir);
            builder.directory(dir.toFile());
        }
        builder.environment().clear();
        builder.environment().putAll(spec.env());
        try {
            return builder.start();
        } catch (IOException e) {
            throw new StartError(e.getMessage());
        }
    }

    private static String groupsOption(List<Long> groups) {
        return groups.isEmpty() ? "--clear-groups"
                : "--groups=" + groups.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    /** Like exec's PATH lookup; a name with a slash is taken as is (it may live under a mount). */
    private Path resolve(String executable, String path) {
        if (executable.contains("/")) {
            return Path.of(executable);
        }
        for (String dir : (path == null ? "" : path).split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, executable);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** Copies the process output into {@code log} on a daemon thread. */
    static Thread pump(InputStream in, LogBuffer log, String name) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (in) {
                for (int n; (n = in.read(buffer)) >= 0;) {
                    log.write(buffer, 0, n);
                }
            } catch (IOException e) {
                // the process is gone; what was read is kept
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /**
     * Stops a container as a container runtime does: SIGTERM to its main process only (PID 1 of the container, here
     * unshare's child when isolated; what it does with its own children is its business, e.g. a shell that hands the
     * signal on as SIGINT), then, after {@code grace}, SIGKILL to whatever is left.
     */
    void kill(Process process, Duration grace) {
        List<ProcessHandle> tree = process.descendants().toList();
        if (isolated) {
            // unshare would SIGKILL its child at once, skipping the grace period: signal the child itself
            process.children().forEach(ProcessHandle::destroy);
        } else {
            process.destroy();
        }
        try {
            process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Stream.concat(tree.stream(), process.descendants()).forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** Makes the volume writable for the pod's user, as fsGroup or a provisioner would. */
    static void chown(Path root, long uid, long gid) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Files.setAttribute(p, "unix:uid", (int) uid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", (int) gid, LinkOption.NOFOLLOW_LINKS);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
