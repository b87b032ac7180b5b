package dev.sessionops.claude.limits;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import dev.sessionops.claude.OperatorConfig;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * How many runs may be under way at once: {@code cso.limits.max-running} in all, and in each namespace the lower of
 * {@code cso.limits.max-running-per-namespace} and its {@code claude.sessionops.dev/max-running} annotation. A run
 * asks for a slot just before its Job is created and gives it back when its Job has finished (or the message ended
 * or went away). Over a limit it waits in line; a slot that frees goes to the waiting namespace with the fewest runs
 * under way (ties round-robin), and within a namespace to whoever asked first (a session asks for its head only, then for its next message at the
 * back of the line: round-robin across sessions), so one team's 10,000 messages cannot starve another's one. The
 * slot is reserved for the chosen run and its reconciler woken ({@link #onGrant}); a reservation nobody claims
 * within {@link #RESERVATION} lapses (its message went away unseen).
 *
 * <p>In memory, on the leader: a new leader counts the unfinished Jobs of its cache first ({@link #seedFrom}), so it
 * never starts more than the limit; the line is rebuilt as the reconcilers ask again. Everything is O(1) per ask but
 * the first; nothing here calls the API.
 */
@Singleton
public class RunSlots {
    static final Duration RESERVATION = Duration.ofSeconds(60);

    /**
     * Who asks: a session for its head message, or a one-shot message for itself.
     *
     * @param owner the session's name, or the one-shot message's
     * @param uid   the message the slot is for
     */
    public record Candidate(String namespace, String owner, boolean session, String uid) {
    }

    /** The answer: a slot, or a place in line (1: next in its namespace) and why. */
    public record Answer(boolean granted, int place, String why) {
        static final Answer GRANTED = new Answer(true, 0, null);
    }

    private final Optional<Integer> max;
    private final Optional<Integer> perNamespace;
    private final Function<String, NamespaceLimits> limits;
    private final Supplier<Long> clock;

    private final Map<String, Candidate> running = new HashMap<>();
    private final Map<String, Integer> runningIn = new HashMap<>();
    /** uid → when the slot was reserved for it (it has not asked since). */
    private final Map<String, Long> reserved = new HashMap<>();
    /** namespace → its line, by uid, in the order they asked. */
    private final Map<String, LinkedHashMap<String, Candidate>> lines = new HashMap<>();
    /** The namespaces that have a line, in the order they are served next. */
    private final Deque<String> rotation = new ArrayDeque<>();
    private final List<Consumer<Candidate>> listeners = new CopyOnWriteArrayList<>();
    private Supplier<Stream<Job>> seed;
    private boolean seeded;

    /** The operator's: its settings, and each namespace's annotations (read through the API, kept 30 s). */
    @Inject
    public RunSlots(OperatorConfig config, NamespaceLimitsSource namespaces) {
        this(config.limits().maxRunning(), config.limits().maxRunningPerNamespace(), namespaces::of, System::nanoTime);
    }

    public RunSlots(OperatorConfig config, KubernetesClient client) {
        this(config, new NamespaceLimitsSource(client));
    }

    /**
     * @param limits a namespace's own limits (its annotations)
     * @param clock  nanoseconds, for reservations
     */
    public RunSlots(Optional<Integer> max, Optional<Integer> perNamespace, Function<String, NamespaceLimits> limits,
            Supplier<Long> clock) {
        // a limit of 0 would start nothing, ever, without a word: refuse to start instead
        max.filter(m -> m < 1).ifPresent(m -> {
            throw new IllegalArgumentException("cso.limits.max-running must be at least 1 (unset: no limit), not " + m);
        });
        perNamespace.filter(m -> m < 1).ifPresent(m -> {
            throw new IllegalArgumentException("cso.limits.max-running-per-namespace must be at least 1 (unset: no limit), not " + m);
        });
        this.max = max;
        this.perNamespace = perNamespace;
        this.limits = limits;
        this.clock = clock;
    }

    /** Told (outside any lock, on the releasing thread) when a slot was reserved for a candidate: reconcile it. */
    public void onGrant(Consumer<Candidate> listener) {
        listeners.add(listener);
    }

    /** Where the unfinished Jobs are (the Job cache): counted once, before the first slot is given. */
    public synchronized void seedFrom(Supplier<Stream<Job>> jobs) {
        this.seed = jobs;
    }

    /** A slot for the candidate now, or its place in line. Asking again is free: the same answer, or the slot. */
    public Answer acquire(Candidate c) {
        List<Candidate> woken = new ArrayList<>();
        Answer answer;
        synchronized (this) {
            seedOnce();
            lapseReservations(woken);
            assign(woken); // a limit may have been raised since, or slots lapsed
            if (running.containsKey(c.uid())) {
                reserved.remove(c.uid());
                answer = Answer.GRANTED;
            } else if (!lines.containsKey(c.namespace()) && free(c.namespace())) {
                take(c);
                answer = Answer.GRANTED;
            } else {
                LinkedHashMap<String, Candidate> line = lines.computeIfAbsent(c.namespace(), ns -> {
                    rotation.addLast(ns);
                    return new LinkedHashMap<>();
                });
                line.putIfAbsent(c.uid(), c);
                answer = new Answer(false, placeOf(line, c.uid()), why(c.namespace()));
            }
        }
        notify(woken);
        return answer;
    }

    /** A run found under way (its Job unfinished): it holds a slot, whatever the limits say now. */
    public synchronized void occupy(Candidate c) {
        seedOnce();
        if (!running.containsKey(c.uid())) {
            removeFromLine(c.uid(), c.namespace());
            take(c);
        }
        reserved.remove(c.uid());
    }

    /** The run's Job finished, or its message ended or went away: its slot (or its place in line) is free. */
    public void release(String uid) {
        List<Candidate> woken = new ArrayList<>();
        synchronized (this) {
            Candidate held = running.remove(uid);
            reserved.remove(uid);
            if (held != null) {
                runningIn.merge(held.namespace(), -1, Integer::sum);
                if (runningIn.get(held.namespace()) <= 0) {
                    runningIn.remove(held.namespace());
                }
            } else {
                lines.keySet().stream().toList().forEach(ns -> removeFromLine(uid, ns));
            }
            assign(woken);
        }
        notify(woken);
    }

    /** Runs holding a slot, in all. */
    public synchronized int running() {
        return running.size();
    }

    /** Runs waiting for a slot, in all. */
    public synchronized int waiting() {
        return lines.values().stream().mapToInt(Map::size).sum();
    }

    private void take(Candidate c) {
        running.put(c.uid(), c);
        runningIn.merge(c.namespace(), 1, Integer::sum);
    }

    /**
     * Free slots to the lines: each to the waiting namespace with the fewest runs under way (max-min fair shares),
     * ties round-robin (the namespace served last goes to the back), each namespace within its own limit.
     */
    private void assign(List<Candidate> woken) {
        while (!rotation.isEmpty() && globalFree()) {
            String pick = null;
            for (String ns : rotation) {
                if (free(ns) && (pick == null || runningIn.getOrDefault(ns, 0) < runningIn.getOrDefault(pick, 0))) {
                    pick = ns;
                }
            }
            if (pick == null) {
                return; // every waiting namespace is at its own limit
            }
            rotation.remove(pick);
            LinkedHashMap<String, Candidate> line = lines.get(pick);
            Iterator<Candidate> first = line.values().iterator();
            Candidate next = first.next();
            first.remove();
            take(next);
            reserved.put(next.uid(), clock.get());
            woken.add(next);
            if (line.isEmpty()) {
                lines.remove(pick);
            } else {
                rotation.addLast(pick);
            }
        }
    }

    private void lapseReservations(List<Candidate> woken) {
        long now = clock.get();
        List<String> lapsed = reserved.entrySet().stream()
                .filter(e -> now - e.getValue() > RESERVATION.toNanos()).map(Map.Entry::getKey).toList();
        for (String uid : lapsed) {
            reserved.remove(uid);
            Candidate held = running.remove(uid);
            if (held != null) {
                runningIn.merge(held.namespace(), -1, Integer::sum);
            }
        }
        if (!lapsed.isEmpty()) {
            assign(woken);
        }
    }

    private void removeFromLine(String uid, String ns) {
        LinkedHashMap<String, Candidate> line = lines.get(ns);
        if (line != null && line.remove(uid) != null && line.isEmpty()) {
            lines.remove(ns);
            rotation.remove(ns);
        }
    }

    private boolean globalFree() {
        return max.isEmpty() || running.size() < max.get();
    }

    private boolean free(String ns) {
        if (!globalFree()) {
            return false;
        }
        Optional<Integer> limit = namespaceLimit(ns);
        return limit.isEmpty() || runningIn.getOrDefault(ns, 0) < limit.get();
    }

    private Optional<Integer> namespaceLimit(String ns) {
        Optional<Integer> annotated = limits.apply(ns).maxRunning();
        if (perNamespace.isEmpty() || annotated.isEmpty()) {
            return perNamespace.isPresent() ? perNamespace : annotated;
        }
        return Optional.of(Math.min(perNamespace.get(), annotated.get()));
    }

    private static int placeOf(LinkedHashMap<String, Candidate> line, String uid) {
        int place = 1;
        for (String queued : line.keySet()) {
            if (queued.equals(uid)) {
                return place;
            }
            place++;
        }
        return place;
    }

    private String why(String ns) {
        List<String> limitsNow = new ArrayList<>();
        max.ifPresent(m -> limitsNow.add("at most " + m + " at once in all (cso.limits.max-running)"));
        namespaceLimit(ns).ifPresent(m -> limitsNow.add("at most " + m + " in namespace " + ns));
        return String.join(", ", limitsNow);
    }

    private void seedOnce() {
        if (seeded || seed == null) {
            return;
        }
        seeded = true;
        seed.get().filter(j -> !finished(j)).forEach(j -> {
            String uid = j.getMetadata().getOwnerReferences() == null || j.getMetadata().getOwnerReferences().isEmpty() ? null
                    : j.getMetadata().getOwnerReferences().get(0).getUid();
            if (uid != null && !running.containsKey(uid)) {
                take(new Candidate(j.getMetadata().getNamespace(), j.getMetadata().getName(), false, uid));
            }
        });
    }

    private static boolean finished(Job job) {
        return job.getStatus() != null && job.getStatus().getConditions() != null && job.getStatus().getConditions().stream()
                .anyMatch(c -> ("Complete".equals(c.getType()) || "Failed".equals(c.getType())) && "True".equals(c.getStatus()));
    }

    private void notify(List<Candidate> woken) {
        for (Candidate c : woken) {
            listeners.forEach(l -> l.accept(c));
        }
    }
}
