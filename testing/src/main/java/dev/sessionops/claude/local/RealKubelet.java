package dev.sessionops.claude.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.sessionops.claude.local.ContainerLauncher.LaunchSpec;
import dev.sessionops.claude.local.ContainerLauncher.StartError;
import dev.sessionops.claude.local.PodPlanner.ContainerPlan;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The kubelet (and the scheduler) for a real API server with no nodes: registers the Node {@value #NODE_NAME}
 * (InternalIP 127.0.0.1, kubelet port = an HTTPS server of its own), binds every unscheduled Pod to it, runs the
 * Pod's init containers and container as local processes exactly like {@link LocalKubelet} does (same env, volumes,
 * user, PATH handling), and writes the Pod's status, so that the <b>real</b> Job controller decides success,
 * failure and deadline. A Pod deleted while it runs has its processes killed, then is removed (grace period 0) as a
 * kubelet does. {@code GET /containerLogs/{ns}/{pod}/{container}} over HTTPS serves the output, so the ordinary
 * {@code pods/log} call through the API server works; the API server needs
 * {@code --kubelet-preferred-address-types=InternalIP} and must not verify the kubelet's certificate (1.20 does
 * not unless {@code --kubelet-certificate-authority} is set).
 * <p>
 * A Pod found Running without a process of this kubelet (started by an earlier instance) is marked Failed, never run
 * twice. Not emulated: images (explicit {@code command} needed), restarts ({@code restartPolicy} other than Never acts
 * like Never), more than one main container, probes, resource limits, {@code follow} on logs (returns the log so far).
 *
 * <pre>{@code
 * RealControlPlane plane = RealControlPlane.builder().apiServerArg(RealKubelet.API_SERVER_ARG).start();
 * try (RealKubelet kubelet = RealKubelet.start(plane.adminClient(), LocalKubelet.Options.defaults())) { ... }
 * }</pre>
 * <p>
 * A test kubelet, so it ships in the test harness, not in local mode; it sits in local's package because it is the
 * local executor's {@code KubeletCore} pointed at a real API server, and that core stays package-private.
 */
public final class RealKubelet extends KubeletCore {
    private static final Logger LOG = Logger.getLogger(RealKubelet.class.getName());
    public static final String NODE_NAME = LocalKubelet.NODE_NAME;
    public static final String NODE_IP = LocalKubelet.NODE_IP;
    /** What the API server needs to reach this kubelet for logs. */
    public static final String API_SERVER_ARG = "--kubelet-preferred-address-types=InternalIP";
    private static final Duration HEARTBEAT = Duration.ofSeconds(10);
    private static final String STORE_PASSWORD = "local-kubelet";

    private final Map<String, PodRunner> runners = new ConcurrentHashMap<>(); // by pod uid
    private final Map<String, LogBuffer> logs = new ConcurrentHashMap<>(); // by ns/pod/container
    private final ExecutorService killers = Executors.newCachedThreadPool(KubeletThreads.daemon("real-kubelet-kill"));
    private final ExecutorService httpThreads = Executors.newCachedThreadPool(KubeletThreads.daemon("real-kubelet-http"));
    private final String bootId = UUID.randomUUID().toString();
    private HttpsServer server;
    private SharedIndexInformer<Pod> informer;
    private volatile boolean closed;

    private RealKubelet(KubernetesClient client, LocalKubelet.Options options) throws IOException {
        super("real-kubelet", client, options);
    }

    /** Serves logs, registers the Node and starts binding and running Pods. {@code client} needs cluster admin. */
    public static RealKubelet start(KubernetesClient client, LocalKubelet.Options options) {
        try {
            RealKubelet kubelet = new RealKubelet(client, options);
            try {
                kubelet.serve();
                kubelet.registerNode();
                kubelet.timers.scheduleWithFixedDelay(kubelet.logged(kubelet::heartbeat), HEARTBEAT.toMillis(),
                        HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
                kubelet.watch();
            } catch (RuntimeException | IOException e) {
                kubelet.close();
                throw e;
            }
            return kubelet;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static RealKubelet start(KubernetesClient client) {
        return start(client, LocalKubelet.Options.defaults());
    }

    /** The port of the kubelet's HTTPS server (the Node's {@code daemonEndpoints.kubeletEndpoint.port}). */
    public int port() {
        return server.getAddress().getPort();
    }

    public String nodeName() {
        return NODE_NAME;
    }

    /** Pods bound here whose processes have not finished yet. */
    public int activePods() {
        return (int) runners.values().stream().filter(r -> !r.isDone()).count();
    }

    @Override
    public void close() {
        closed = true;
        if (informer != null) {
            informer.close();
        }
        runners.values().forEach(PodRunner::stop);
        if (server != null) {
            server.stop(0);
        }
        killers.shutdown();
        httpThreads.shutdownNow();
        try {
            client.nodes().withName(NODE_NAME).delete();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "RealKubelet: node not deleted", e);
        }
        closeCore();
    }

    // --- node

    private void registerNode() {
        Node node = new NodeBuilder().withNewMetadata().withName(NODE_NAME)
                .withLabels(Map.of("kubernetes.io/hostname", NODE_NAME, "kubernetes.io/os", "linux",
                        "kubernetes.io/arch", "amd64", "beta.kubernetes.io/os", "linux", "beta.kubernetes.io/arch", "amd64"))
                .endMetadata().withNewSpec().endSpec().withStatus(nodeStatus()).build();
        Node existing = client.nodes().withName(NODE_NAME).get();
        if (existing == null) {
            client.nodes().resource(node).create();
        }
        heartbeat(); // status given on create may be dropped; write it through the status subresource
    }

    private void heartbeat() {
        for (int attempt = 0; attempt < 3; attempt++) {
            Node node = client.nodes().withName(NODE_NAME).get();
            if (node == null) {
                return;
            }
            node.setStatus(nodeStatus());
            try {
                client.nodes().resource(node).updateStatus();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
            }
        }
    }

    private NodeStatus nodeStatus() {
        String now = PodState.now();
        Map<String, Quantity> resources = Map.of("cpu", new Quantity("64"), "memory", new Quantity("256Gi"),
                "pods", new Quantity("1000"), "ephemeral-storage", new Quantity("1Ti"));
        List<NodeCondition> conditions = new ArrayList<>();
        conditions.add(nodeCondition("Ready", "True", "KubeletReady", "kubelet is posting ready status", now));
        conditions.add(nodeCondition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", now));
        conditions.add(nodeCondition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now));
        conditions.add(nodeCondition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", now));
        return new NodeStatusBuilder().withCapacity(resources).withAllocatable(resources).withConditions(conditions)
                .addNewAddress().withType("InternalIP").withAddress(NODE_IP).endAddress()
                .addNewAddress().withType("Hostname").withAddress(NODE_NAME).endAddress()
                .withNewDaemonEndpoints().withNewKubeletEndpoint().withPort(port()).endKubeletEndpoint().endDaemonEndpoints()
                .withNewNodeInfo().withArchitecture("amd64").withOperatingSystem("linux").withOsImage("local processes")
                .withKernelVersion(System.getProperty("os.version")).withKubeletVersion("v1.20.2")
                .withKubeProxyVersion("v1.20.2").withContainerRuntimeVersion("local://1").withBootID(bootId)
                .withMachineID(bootId.replace("-", "")).withSystemUUID(bootId).endNodeInfo()
                .build();
    }

    private static NodeCondition nodeCondition(String type, String status, String reason, String message, String now) {
        return new NodeConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withLastHeartbeatTime(now).withLastTransitionTime(now).build();
    }

    // --- pods

    private void watch() {
        informer = client.pods().inAnyNamespace().inform(new ResourceEventHandler<Pod>() {
            @Override
            public void onAdd(Pod pod) {
                submitControl(() -> podSeen(pod));
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                submitControl(() -> podSeen(pod));
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                submitControl(() -> podGone(pod));
            }
        });
    }

    private void podSeen(Pod pod) {
        if (closed) {
            return;
        }
        String nodeName = pod.getSpec().getNodeName();
        if (nodeName == null || nodeName.isEmpty()) {
            if (pod.getMetadata().getDeletionTimestamp() == null) {
                bind(pod);
            }
            return;
        }
        if (!NODE_NAME.equals(nodeName)) {
            return;
        }
        PodRunner runner = runners.get(pod.getMetadata().getUid());
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            if (runner != null) {
                runner.deleting();
            } else {
                forceDelete(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
            }
            return;
        }
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if (runner != null || "Succeeded".equals(phase) || "Failed".equals(phase)) {
            return;
        }
        if ("Running".equals(phase)) {
            // started by an earlier kubelet whose processes are gone: never run a container twice, report it lost
            LOG.warning("RealKubelet: pod " + pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName()
                    + " was running under an earlier kubelet; marking it Failed");
            PodState lost = new PodState(pod);
            lost.finished(false);
            PodStatus status = lost.toStatus();
            status.setReason("NodeLost");
            status.setMessage("the kubelet that ran this pod is gone");
            writePodStatus(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), pod.getMetadata().getUid(), status);
            return;
        }
        runner = new PodRunner(pod);
        runners.put(pod.getMetadata().getUid(), runner);
        runner.start();
    }

    private void podGone(Pod pod) {
        PodRunner runner = runners.remove(pod.getMetadata().getUid());
        if (runner != null) {
            runner.stop();
        }
        String prefix = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName() + "/";
        logs.keySet().removeIf(k -> k.startsWith(prefix));
    }

    /** What the scheduler does: {@code POST pods/{name}/binding}. */
    private void bind(Pod pod) {
        try {
            client.bindings().inNamespace(pod.getMetadata().getNamespace()).resource(new BindingBuilder()
                    .withNewMetadata().withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid()).endMetadata()
                    .withNewTarget().withApiVersion("v1").withKind("Node").withName(NODE_NAME).endTarget()
                    .build()).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409 && e.getCode() != 404) {
                LOG.log(Level.WARNING, "RealKubelet: binding " + pod.getMetadata().getName() + " failed", e);
            }
        }
    }

    private void forceDelete(String namespace, String name) {
        try {
            client.pods().inNamespace(namespace).withName(name).withGracePeriod(0).delete();
        } catch (KubernetesClientException e) {
            LOG.log(Level.FINE, "RealKubelet: deleting " + namespace + "/" + name, e);
        }
    }

    private void writePodStatus(String namespace, String name, String uid, PodStatus status) {
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                Pod pod = client.pods().inNamespace(namespace).withName(name).get();
                if (pod == null || !uid.equals(pod.getMetadata().getUid())) {
                    return;
                }
                pod.setStatus(status);
                client.pods().inNamespace(namespace).resource(pod).updateStatus();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    return;
                }
                if (e.getCode() != 409) {
                    LOG.log(Level.WARNING, "RealKubelet: status of pod " + namespace + "/" + name + " not written", e);
                    return;
                }
            }
        }
        LOG.warning("RealKubelet: status of pod " + namespace + "/" + name + " not written: conflicts");
    }

    /** One Pod bound here: waits for what it references, runs its containers, reports status. */
    private final class PodRunner {
        private final Pod pod;
        private final String namespace;
        private final String name;
        private final String uid;
        private final PodState state;
        private final Object lock = new Object();
        // guarded by lock
        private boolean deleting;
        private boolean stopped;
        private boolean done;
        private Process process;

        PodRunner(Pod pod) {
            this.pod = pod;
            this.namespace = pod.getMetadata().getNamespace();
            this.name = pod.getMetadata().getName();
            this.uid = pod.getMetadata().getUid();
            this.state = new PodState(pod);
        }

        boolean isDone() {
            synchronized (lock) {
                return done;
            }
        }

        void start() {
            writeStatus();
            tryStart();
        }

        private void tryStart() {
            synchronized (lock) {
                if (deleting || stopped) {
                    return;
                }
            }
            try {
                List<ContainerPlan> plans = planner.plan(pod, baseDir.resolve("pods").resolve(namespace).resolve(name));
                submitRun(() -> run(plans));
            } catch (PodNotReady notReady) {
                if (state.cannotStartYet(notReady)) {
                    LOG.info("RealKubelet: pod " + namespace + "/" + name + " waits: " + state.lastWaiting());
                    writeStatus();
                }
                schedule(this::tryStart, 500);
            }
        }

        private void run(List<ContainerPlan> plans) {
            try {
                for (ContainerPlan plan : plans) {
                    Integer exit = runContainer(plan);
                    if (exit == null) {
                        return; // the kubelet closed or the pod object vanished while it ran
                    }
                    boolean deleted;
                    synchronized (lock) {
                        deleted = deleting;
                    }
                    if (exit != 0 || !plan.init() || deleted) {
                        // restartPolicy Never: the pod ends with its first failing container, or its main one
                        state.finished(exit == 0 && !plan.init());
                        writeStatus();
                        if (deleted) {
                            // containers gone: the kubelet completes the deletion, a moment after reporting the
                            // termination (a log follower's next poll still finds the pod and the run's last lines)
                            try {
                                Thread.sleep(JobRunner.TERMINATION_REPORTED.toMillis());
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            forceDelete(namespace, name);
                        }
                        return;
                    }
                }
            } finally {
                synchronized (lock) {
                    done = true;
                }
            }
        }

        /** The exit code, or null when the pod was deleted or the kubelet closed while the container ran. */
        private Integer runContainer(ContainerPlan plan) {
            String container = plan.container().getName();
            LogBuffer log = new LogBuffer();
            LaunchSpec view = launcher.processView(plan.spec());
            Map<String, Path> mounts = new LinkedHashMap<>();
            view.mounts().forEach(m -> mounts.put(m.mountPath(), m.source()));
            Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
            ContainerRun run = new ContainerRun(namespace, labels.get(JobPods.JOB_NAME), name, container, plan.init(),
                    view.argv(), view.env(), view.workingDir(), mounts, runUid(view), log);
            runs.add(run);
            Instant started = run.startedAt();
            Process started0;
            try {
                started0 = launcher.start(view);
            } catch (StartError e) {
                log.append(e.getMessage() + "\n");
                logs.put(logKey(namespace, name, container), log);
                run.finished(128);
                state.terminated(container, 128, "StartError", e.getMessage(), started);
                return 128;
            }
            boolean killNow;
            synchronized (lock) {
                process = started0;
                killNow = deleting || stopped;
            }
            if (killNow) {
                launcher.kill(started0, grace());
            }
            state.running(container, started);
            writeStatus();
            logs.put(logKey(namespace, name, container), log);
            Thread pump = ContainerLauncher.pump(started0.getInputStream(), log, "log " + name + "/" + container);
            int exit = waitFor(started0);
            try {
                pump.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            run.finished(exit);
            LOG.fine("RealKubelet: " + namespace + "/" + name + "/" + container + " exited " + exit);
            synchronized (lock) {
                process = null;
                if (stopped) {
                    return null;
                }
            }
            state.terminated(container, exit, exit == 0 ? "Completed" : "Error", null, started);
            return exit;
        }

        /** The pod got a deletionTimestamp (e.g. the Job controller enforcing activeDeadlineSeconds). */
        void deleting() {
            Process running;
            synchronized (lock) {
                if (deleting) {
                    return;
                }
                deleting = true;
                running = process;
            }
            LOG.fine("RealKubelet: pod " + namespace + "/" + name + " is being deleted" + (running != null ? ", killing it" : ""));
            if (running != null) {
                // the run thread sees the exit, writes status Failed and completes the deletion
                killers.execute(logged(() -> launcher.kill(running, grace())));
            } else {
                forceDelete(namespace, name); // nothing runs (waiting, finished, or between containers)
            }
        }

        /** Pod object gone or kubelet closing: kill whatever runs, write nothing. */
        void stop() {
            Process running;
            synchronized (lock) {
                stopped = true;
                running = process;
            }
            if (running != null) {
                launcher.kill(running, grace());
            }
        }

        /** As a kubelet: the pod's terminationGracePeriodSeconds between SIGTERM and SIGKILL, at most the kubelet's. */
        private java.time.Duration grace() {
            Long seconds = pod.getSpec() == null ? null : pod.getSpec().getTerminationGracePeriodSeconds();
            java.time.Duration most = options.killGracePeriod();
            return seconds == null || java.time.Duration.ofSeconds(seconds).compareTo(most) > 0 ? most
                    : java.time.Duration.ofSeconds(seconds);
        }

        private void writeStatus() {
            writePodStatus(namespace, name, uid, state.toStatus());
        }
    }

    private static int waitFor(Process process) {
        while (true) {
            try {
                return process.waitFor();
            } catch (InterruptedException e) {
                // kill() ends the process; keep waiting for its exit code
            }
        }
    }

    // --- logs over HTTPS

    private static String logKey(String namespace, String pod, String container) {
        return namespace + "/" + pod + "/" + container;
    }

    private void serve() throws IOException {
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(selfSignedContext()));
        server.setExecutor(httpThreads);
        server.createContext("/", this::handle);
        server.start();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String[] parts = exchange.getRequestURI().getPath().split("/");
            // "", "containerLogs", ns, pod, container
            if (!"GET".equals(exchange.getRequestMethod()) || parts.length != 5 || !"containerLogs".equals(parts[1])) {
                reply(exchange, 404, "404 page not found\n");
                return;
            }
            LogBuffer log = logs.get(logKey(parts[2], parts[3], parts[4]));
            if (log == null) {
                reply(exchange, 404, "container \"" + parts[4] + "\" in pod \"" + parts[3] + "\" is not available\n");
                return;
            }
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            String text = PodLogs.tail(log.text(), query.get("tailLines"));
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            if (query.containsKey("limitBytes")) {
                int limit = (int) Math.min(bytes.length, Long.parseLong(query.get("limitBytes")));
                bytes = java.util.Arrays.copyOf(bytes, limit);
            }
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    private static void reply(HttpExchange exchange, int code, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> map = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return map;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            map.put(key, value);
        }
        return map;
    }

    /** A fresh self-signed certificate for 127.0.0.1, made with the JDK's keytool into a temp keystore. */
    private SSLContext selfSignedContext() throws IOException {
        Path dir = Files.createDirectories(baseDir.resolve("tls"));
        Path store = dir.resolve("kubelet.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "kubelet", "-keyalg", "EC",
                "-groupname", "secp256r1", "-validity", "30", "-dname", "CN=" + NODE_NAME,
                "-ext", "san=ip:" + NODE_IP + ",dns:localhost", "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD).redirectErrorStream(true).start();
        String output;
        try (InputStream in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (process.waitFor() != 0) {
                throw new IOException("keytool failed: " + output);
            }
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                keyStore.load(in, STORE_PASSWORD.toCharArray());
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keyStore, STORE_PASSWORD.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    // --- executors

    private void submitControl(Runnable task) {
        if (!closed) {
            control.execute(logged(task));
        }
    }

    private void submitRun(Runnable task) {
        if (!closed) {
            slots.execute(logged(task));
        }
    }

    private void schedule(Runnable task, long delayMillis) {
        if (!closed) {
            timers.schedule(() -> submitControl(task), delayMillis, TimeUnit.MILLISECONDS);
        }
    }

    private Runnable logged(Runnable task) {
        return KubeletThreads.logged("RealKubelet", task, () -> closed);
    }


}
