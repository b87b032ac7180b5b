package dev.sessionops.claude.events;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.IntFunction;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.sessionops.claude.OperatorConfig;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.cli.ModelApiRetries;
import dev.sessionops.claude.cli.StreamJsonParser;
import dev.sessionops.claude.history.ConversationKey;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Turns a running message's pod log into its live events: follows the claude container's log and appends each
 * stream-json line to the message's Redis Stream ({@link EventStore}), from the first line, until the {@code result}
 * line or the end of the container. One follower per message per operator instance (only the leader reconciles, so
 * only the leader follows); the reconciler asks for one on every look at a running message, which also resumes
 * following after an operator restart. Nothing here can fail a message: events are a view of the run, the pod log
 * stays the record the reconciler reads when the Job ends.
 *
 * <p>It also keeps, in memory, the model API's retries of each run it follows ({@link ModelApiRetries}, folded from the
 * same lines, from the log's first line again after a restart), and tells the listener of {@link #onRunChange}
 * when they change, so the message is reconciled and its condition says the CLI is retrying the API. Likewise a pod
 * the kubelet cannot start for a missing Secret or ConfigMap ({@link PodWaiting}), which the follower sees while it
 * waits for the container.
 */
@ApplicationScoped
public class EventFollower {
    private static final Logger LOG = Logger.getLogger(EventFollower.class);
    /** How soon a log that ended while the container still runs is opened again (and a pod not there yet looked for). */
    static final Duration RETRY = Duration.ofMillis(300);
    /** The longest pause between looks at a run whose pod has not started (a Job controller behind, a quota). */
    static final Duration MAX_WAIT_FOR_POD = Duration.ofSeconds(3);
    /**
     * The largest finished log held for its recording, in characters (reply and lines after the result): 100
     * followers finishing at once hold at most about 50 MB. Almost every run's record is far smaller.
     */
    static final long MAX_HELD_CHARS = 256 << 10;

    private final KubernetesClient client;
    private final EventStore store;
    private final PodLogStream logs;
    private final Map<String, Follow> follows = new ConcurrentHashMap<>();
    /** By message uid: the runs that have seen a retry of the model API (no entry: none). */
    private final Map<String, ModelApiRetries> modelApi = new ConcurrentHashMap<>();
    /** By message uid: the runs whose pod the kubelet cannot start (no entry: none seen). */
    private final Map<String, PodWaiting> podWaiting = new ConcurrentHashMap<>();
    /**
     * By message UID: the run's log as a follower read it to its end, so recording it needs no second read. Only runs
     * whose record is small are kept ({@link #MAX_HELD_CHARS}); the others are read again when recorded.
     */
    private final Map<String, FinishedLog> finishedLogs = new ConcurrentHashMap<>();
    private volatile BiPredicate<String, String> jobCached = (namespace, name) -> false;
    private volatile BiConsumer<String, String> runListener = (namespace, name) -> {
    };
    /** Bounded (cso.events.max-followers): threads do not grow with the runs under way; idle ones end. */
    private final ThreadPoolExecutor threads;
    /** The pause after a number of looks without a started pod ({@link #pauseAfter}; a test's own to see a wake). */
    private final IntFunction<Duration> pause;

    @Inject
    public EventFollower(KubernetesClient client, EventStore store, PodLogStream logs, OperatorConfig config) {
        this(client, store, logs, config.events().maxFollowers(), EventFollower::pauseAfter);
    }

    public EventFollower(KubernetesClient client, EventStore store, PodLogStream logs) {
        this(client, store, logs, 100, EventFollower::pauseAfter);
    }

    EventFollower(KubernetesClient client, EventStore store, PodLogStream logs, int maxFollowers,
            IntFunction<Duration> pause) {
        this.client = client;
        this.store = store;
        this.logs = logs;
        this.pause = pause;
        this.threads = new ThreadPoolExecutor(maxFollowers, maxFollowers, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                new ThreadFactory());
        threads.allowCoreThreadTimeOut(true);
    }

    /** Threads following logs now (for the benchmark and the metrics). */
    public int followerThreads() {
        return threads.getPoolSize();
    }

    /**
     * Follows the run of {@code job} unless this instance already does; cheap, so call it on every reconcile. A
     * follower still waiting for the run's pod looks again at once: the reconciler calls this when the Job changes,
     * as when the Job controller counts its pod active or ready, so the live events start with the container, not
     * after the follower's pause (up to {@link #MAX_WAIT_FOR_POD}).
     */
    public void follow(ClaudeMessage message, Job job) {
        String uid = message.getMetadata().getUid();
        Follow existing = follows.get(uid);
        if (existing != null) {
            existing.wake(); // every reconcile of a running message comes here: nothing made for it
            return;
        }
        Follow follow = new Follow(uid, message.getMetadata().getNamespace(), message.getMetadata().getName(),
                job.getMetadata().getName(), job.getMetadata().getUid(), keyOf(message));
        existing = follows.putIfAbsent(uid, follow);
        if (existing == null) {
            threads.execute(follow); // started once mapped, so its own removal when it ends cannot come first
        } else {
            existing.wake();
        }
    }

    /**
     * The run has ended and {@code log} is what its pod log held (null when none is left): appends what the follower
     * has not (it may have been behind, or not running at all), lets the stream expire, stops the follower. Done
     * before the message's final status is written, so a subscriber who sees the message finished finds every event.
     */
    public void runEnded(ClaudeMessage message, RunLog log) {
        stop(message);
        modelApi.remove(message.getMetadata().getUid());
        podWaiting.remove(message.getMetadata().getUid());
        finishedLogs.remove(message.getMetadata().getUid());
        String key = keyOf(message);
        try {
            List<EventStore.NewEvent> lines = new java.util.ArrayList<>();
            if (log != null) {
                for (LogLines.Line line : log.tail()) {
                    StreamJsonLine.type(line.text()).ifPresent(type -> lines.add(new EventStore.NewEvent(line.number(), type,
                            line.text())));
                }
            }
            if (lines.isEmpty() && log != null && log.eventsComplete()) {
                return; // its follower appended every line through the result, which set the expiry: no round trip
            }
            store.finish(key, lines); // past the last line appended, one round trip
        } catch (RuntimeException e) {
            LOG.warnf("message %s/%s: its events were not completed: %s", message.getMetadata().getNamespace(),
                    message.getMetadata().getName(), e.getMessage());
        }
    }

    /** The message is gone: stop following and drop its events (best effort: the stream expires anyway). */
    public void forget(ClaudeMessage message) {
        stop(message);
        modelApi.remove(message.getMetadata().getUid());
        podWaiting.remove(message.getMetadata().getUid());
        finishedLogs.remove(message.getMetadata().getUid());
        try {
            store.delete(keyOf(message));
        } catch (RuntimeException e) {
            LOG.debugf("events of %s not deleted (they expire): %s", message.getMetadata().getName(), e.getMessage());
        }
    }

    /**
     * The run as its live events hold it (empty when there are none), parsed entry by entry: the record of a run
     * whose pod is gone, as when a cancel stopped it (a pod log is deleted with its pod).
     */
    public Optional<RunLog> recordedLog(ClaudeMessage message) {
        try {
            List<EventEntry> entries = store.range(keyOf(message), null, null, (int) Math.min(Integer.MAX_VALUE,
                    store.maxLength()));
            if (entries.isEmpty()) {
                return Optional.empty();
            }
            StreamJsonParser parser = new StreamJsonParser();
            entries.forEach(e -> parser.accept(e.data()));
            return Optional.of(RunLog.of(parser.outcome()));
        } catch (RuntimeException e) {
            LOG.debugf("events of %s unreadable: %s", message.getMetadata().getName(), e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * The model API's retries in the message's run as far as this instance has read its log; empty when it saw none
     * (or does not follow the run).
     */
    public Optional<ModelApiRetries> modelApi(ClaudeMessage message) {
        return Optional.ofNullable(modelApi.get(message.getMetadata().getUid()));
    }

    /** Why the kubelet cannot start the message's pod, as this instance last saw it; empty when it can (or unseen). */
    public Optional<PodWaiting> podWaiting(ClaudeMessage message) {
        return Optional.ofNullable(podWaiting.get(message.getMetadata().getUid()));
    }

    /**
     * Called with a message's namespace and name, on a follower's thread, each time its {@link #modelApi} or
     * {@link #podWaiting} changes;
     * it must return at once (the reconciler queues an event).
     */
    public void onRunChange(BiConsumer<String, String> listener) {
        this.runListener = listener;
    }

    /**
     * Where to look whether a run's Job is still there ({@code namespace, name}): the reconciler's Job cache. A Job
     * the cache shows costs no request while its pod is awaited; one it lacks is asked of the API server (the cache may
     * lag behind a create), which is what every look did before.
     */
    public void lookUpJobsIn(BiPredicate<String, String> cached) {
        this.jobCached = cached;
    }

    /**
     * The log of {@code job}'s run as this instance read it, from its first line to its end, when it did (and the
     * record is small): what recording the run needs, without reading the log again. Its tail holds only the lines
     * after those appended as live events. A Job makes one try ({@code backoffLimit: 0}), so its pod's log is the run.
     */
    public Optional<RunLog> finishedLog(ClaudeMessage message, Job job) {
        FinishedLog held = finishedLogs.get(message.getMetadata().getUid());
        return held == null || !held.jobUid().equals(job.getMetadata().getUid()) ? Optional.empty() : Optional.of(held.log());
    }

    /** True while this instance follows the message (its events may still be coming). */
    public boolean isFollowing(ClaudeMessage message) {
        return follows.containsKey(message.getMetadata().getUid());
    }

    public static String keyOf(ClaudeMessage message) {
        return ConversationKey.eventsOf(message);
    }

    private void stop(ClaudeMessage message) {
        Follow follow = follows.remove(message.getMetadata().getUid());
        if (follow != null) {
            follow.stop();
        }
    }

    @PreDestroy
    void shutdown() {
        follows.values().forEach(Follow::abort);
        threads.shutdownNow();
    }

    /** One message's follower: its own thread, blocked on the log stream most of the time. */
    private final class Follow implements Runnable {
        private final String uid;
        private final String namespace;
        private final String message;
        private final String jobName;
        private final String jobUid;
        private final String key;
        private volatile boolean stopped;
        private volatile boolean aborted;
        /** Lines of the log already handled (appended, found appended, or not events); -1 until Redis was asked. */
        private long consumed = -1;
        /** Lines of the log folded into {@code retries}: every line, from the first, once (a re-read skips them). */
        private long folded;
        private ModelApiRetries retries = ModelApiRetries.NONE;
        /** Looks in a row that found no started pod: each waits longer (see {@link #pauseAfter}). */
        private volatile int looksWithoutPod;
        /** Released to cut a pause short ({@link #wake}). */
        private final Semaphore wakeUp = new Semaphore(0);

        Follow(String uid, String namespace, String message, String jobName, String jobUid, String key) {
            this.uid = uid;
            this.namespace = namespace;
            this.message = message;
            this.jobName = jobName;
            this.jobUid = jobUid;
            this.key = key;
        }

        @Override
        public void run() {
            try {
                boolean failing = false;
                while (!stopped) {
                    try {
                        if (step()) {
                            return;
                        }
                        failing = false;
                    } catch (RuntimeException e) {
                        // Redis or the API server unreachable: keep trying while the run lasts; say so once
                        if (!failing) {
                            LOG.warnf("message %s/%s: following its log failed, retrying: %s", namespace, message, e.getMessage());
                        }
                        failing = true;
                    }
                    if (wakeUp.tryAcquire(pause.apply(looksWithoutPod).toMillis(), TimeUnit.MILLISECONDS)) {
                        wakeUp.drainPermits(); // one look for any number of wakes
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                follows.remove(uid, this);
            }
        }

        /** One look at the run; true when following is over (result appended, container ended, Job gone). */
        private boolean step() throws InterruptedException {
            if (consumed < 0) {
                Optional<EventEntry> last = store.last(key);
                if (last.map(EventEntry::isResult).orElse(false)) {
                    return true; // followed to the end before (an operator restart after the result)
                }
                consumed = last.map(EventEntry::line).orElse(0L); // resume: the log is read again from its start
            }
            Optional<Pod> pod = RunPods.newest(client, namespace, jobName, jobUid);
            if (pod.isEmpty()) {
                looksWithoutPod++;
                return !jobCached.test(namespace, jobName)
                        && client.batch().v1().jobs().inNamespace(namespace).withName(jobName).get() == null;
            }
            if (!started(pod.get())) {
                looksWithoutPod++;
                noteWaiting(PodWaiting.of(pod.get()).orElse(null));
                return false;
            }
            looksWithoutPod = 0;
            noteWaiting(null);
            boolean ended = ended(pod.get());
            return readLog(pod.get().getMetadata().getName(), ended) || ended;
        }

        /**
         * Reads the log from its start (a follow stream while the container runs), skipping the lines handled before.
         *
         * @param ended the container has ended: the log is complete, so a last line without a newline counts
         * @return true when the result line has been appended
         */
        private boolean readLog(String pod, boolean ended) throws InterruptedException {
            LogLines lines = new LogLines();
            RunLog.Reader whole = RunLog.reader(); // every line from the first: the run's record if this read ends it
            boolean[] result = { false };
            try {
                // read to the end even past the result line (see PodLogStream on closing early)
                logs.read(namespace, pod, !ended, chunk -> {
                    List<LogLines.Line> read = lines.feed(chunk, chunk.length);
                    whole.take(read);
                    if (!result[0] && !stopped) {
                        result[0] = handle(read);
                    }
                }, () -> aborted);
                if (!result[0] && !ended) {
                    return false; // a follow stream closed before the result: the container may still run, look again
                }
                // a follow stream that ends after the result line ends with the container (the kubelet closes it then)
                List<LogLines.Line> last = lines.finish();
                whole.take(last);
                boolean done = result[0] || !stopped && handle(last);
                keep(whole.finishAfter(consumed, done));
                return done;
            } catch (IOException | RuntimeException e) {
                if (!result[0] && !stopped) {
                    LOG.debugf("message %s/%s: log of pod %s interrupted (%s), reading it again", namespace, message, pod,
                            e.getMessage());
                }
                return result[0];
            }
        }

        private boolean handle(List<LogLines.Line> lines) {
            ModelApiRetries before = retries;
            boolean result = false;
            try {
                for (LogLines.Line line : lines) {
                    if (line.number() > folded) {
                        retries = retries.next(line.text());
                        folded = line.number();
                    }
                    if (line.number() <= consumed) {
                        continue;
                    }
                    // a line over the cap is no event: only its start is here
                    Optional<String> type = line.skipped() ? Optional.empty() : StreamJsonLine.type(line.text());
                    type.ifPresent(t -> store.append(key, line.number(), t, line.text()));
                    consumed = line.number();
                    if (type.filter(StreamJsonLine.RESULT::equals).isPresent()) {
                        result = true;
                        break;
                    }
                }
            } finally {
                // once per chunk, not per line: a log read again from its start passes its old retries in one go
                if (!retries.equals(before) && !stopped) {
                    modelApi.put(uid, retries);
                    runListener.accept(namespace, message);
                }
            }
            return result;
        }

        private void noteWaiting(PodWaiting now) {
            PodWaiting before = now == null ? podWaiting.remove(uid) : podWaiting.put(uid, now);
            if (!java.util.Objects.equals(before, now) && !stopped) {
                runListener.accept(namespace, message);
            }
        }

        /** The whole log read, for recording the run without a second read; not when large or stopped meanwhile. */
        private void keep(RunLog log) {
            if (!stopped && log.heldChars() <= MAX_HELD_CHARS) {
                finishedLogs.put(uid, new FinishedLog(jobUid, log));
                if (stopped) {
                    finishedLogs.remove(uid); // the run ended (or was forgotten) meanwhile: nobody will take it
                }
            }
        }

        /** Looks again now if it is waiting for the pod (a follower reading a log reads on). */
        void wake() {
            if (looksWithoutPod > 0) {
                wakeUp.release();
            }
        }

        /** Stops appending; a read in progress ends with its log (the pod has ended, or is being deleted). */
        void stop() {
            stopped = true;
            wakeUp.release(); // a pause ends now: the thread goes back to the pool
        }

        /** Only when the operator shuts down: cancels a read of a pod that still runs. */
        void abort() {
            stopped = true;
            aborted = true;
            wakeUp.release();
        }
    }

    /**
     * How long to wait before the next look: {@link #RETRY} while the pod runs (its log stream reopened), doubling
     * from there while no pod has started, up to {@link #MAX_WAIT_FOR_POD}. Measured by the benchmark: with Jobs queued
     * behind the Job controller, a fixed 300 ms made 15 to 41 pod lists per message. Pure.
     */
    static Duration pauseAfter(int looksWithoutPod) {
        if (looksWithoutPod <= 1) {
            return RETRY;
        }
        long millis = RETRY.toMillis() << Math.min(looksWithoutPod - 1, 10);
        return Duration.ofMillis(Math.min(millis, MAX_WAIT_FOR_POD.toMillis()));
    }

    /** The claude container has started (its log can be read). */
    static boolean started(Pod pod) {
        return claudeContainer(pod).map(s -> s.getState() != null
                && (s.getState().getRunning() != null || s.getState().getTerminated() != null)).orElse(false)
                || ended(pod);
    }

    /** The pod is done or its claude container has ended: its log will not grow. */
    static boolean ended(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase)
                || claudeContainer(pod).map(s -> s.getState() != null && s.getState().getTerminated() != null).orElse(false);
    }

    private static Optional<ContainerStatus> claudeContainer(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return Optional.empty();
        }
        return pod.getStatus().getContainerStatuses().stream()
                .filter(s -> PodLogStream.CONTAINER.equals(s.getName())).findFirst();
    }

    private record FinishedLog(String jobUid, RunLog log) {
    }

    private static final class ThreadFactory implements java.util.concurrent.ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "event-follower-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }
}
