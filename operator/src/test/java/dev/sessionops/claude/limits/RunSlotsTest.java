package dev.sessionops.claude.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;

class RunSlotsTest {
    private final AtomicLong now = new AtomicLong();
    private final List<String> started = new ArrayList<>();

    private RunSlots slots(Integer max, Integer perNamespace, Map<String, Integer> annotated) {
        RunSlots slots = new RunSlots(Optional.ofNullable(max), Optional.ofNullable(perNamespace),
                ns -> annotated.containsKey(ns) ? new NamespaceLimits(Optional.empty(), Optional.empty(), Optional.empty(),
                        Optional.of(annotated.get(ns)), List.of()) : NamespaceLimits.NONE,
                now::get);
        slots.onGrant(c -> started.add(c.uid()));
        return slots;
    }

    private static RunSlots.Candidate run(String ns, int i) {
        return new RunSlots.Candidate(ns, ns + "-" + i, false, ns + "-" + i);
    }

    /** Asks for each, in order; the granted ones start at once (as their reconciler would create the Job). */
    private void ask(RunSlots slots, List<RunSlots.Candidate> candidates) {
        for (RunSlots.Candidate c : candidates) {
            if (slots.acquire(c).granted()) {
                started.add(c.uid());
            }
        }
    }

    /** The run that started first among those still running ends; returns the runs started since. */
    private void finishOldest(RunSlots slots, List<String> runningNow) {
        String done = runningNow.remove(0);
        slots.release(done);
    }

    @Test
    void aLimitBelowOneStopsTheOperatorFromStartingRatherThanRunningNothing() {
        var zero = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> slots(0, null, Map.of()));
        assertTrue(zero.getMessage().contains("cso.limits.max-running must be at least 1"), zero.getMessage());
        var negative = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> slots(5, -1, Map.of()));
        assertTrue(negative.getMessage().contains("max-running-per-namespace"), negative.getMessage());
    }

    @Test
    void withoutLimitsEveryRunStartsAtOnce() {
        RunSlots slots = slots(null, null, Map.of());
        for (int i = 0; i < 100; i++) {
            assertTrue(slots.acquire(run("a", i)).granted());
        }
        assertEquals(100, slots.running());
    }

    /**
     * max-running=5, three namespaces submitting 100, 10 and 1 at once (interleaved, as three clients do): never more
     * than 5 under way, and the namespace of one message starts within the first 5. Submitted in the worst order (all
     * of the big one first), the small ones get the first slots that free.
     */
    @Test
    void freeSlotsGoToTheNamespacesWithFewestRunsSoNoneStarves() {
        RunSlots slots = slots(5, null, Map.of());
        List<RunSlots.Candidate> all = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            all.add(run("big", i));
            if (i < 10) {
                all.add(run("mid", i));
            }
            if (i < 1) {
                all.add(run("one", i));
            }
        }
        ask(slots, all);
        assertEquals(5, started.size());
        assertTrue(started.indexOf("one-0") >= 0 && started.indexOf("one-0") < 5, started.toString());
        drain(slots, 111);

        // worst order: all of the big namespace's first
        started.clear();
        RunSlots worst = slots(5, null, Map.of());
        List<RunSlots.Candidate> sequential = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            sequential.add(run("big", i));
        }
        for (int i = 0; i < 10; i++) {
            sequential.add(run("mid", i));
        }
        sequential.add(run("one", 0));
        ask(worst, sequential);
        assertEquals(List.of("big-0", "big-1", "big-2", "big-3", "big-4"), started);
        List<String> runningNow = new ArrayList<>(started);
        finishOldest(worst, runningNow);
        finishOldest(worst, runningNow);
        assertEquals(List.of("mid-0", "one-0"), started.subList(5, 7), "the first freed slots, fewest-running first");
        drain(worst, 111);
        assertEquals(111, started.size());
    }

    /** Finishes runs oldest first until {@code total} have started, checking the limit all along. */
    private void drain(RunSlots slots, int total) {
        List<String> runningNow = new ArrayList<>(started);
        int guard = 0;
        while (started.size() < total || !runningNow.isEmpty()) {
            assertTrue(slots.running() <= 5, "never more than the limit: " + slots.running());
            int before = started.size();
            finishOldest(slots, runningNow);
            runningNow.addAll(started.subList(before, started.size()));
            assertTrue(++guard < 1000);
        }
        assertEquals(0, slots.waiting());
    }

    @Test
    void aNamespacesOwnLimitHoldsWhileOthersUseTheRest() {
        RunSlots slots = slots(10, 3, Map.of("tight", 1));
        ask(slots, List.of(run("tight", 0), run("tight", 1), run("wide", 0), run("wide", 1), run("wide", 2), run("wide", 3)));
        assertEquals(List.of("tight-0", "wide-0", "wide-1", "wide-2"), started);
        RunSlots.Answer waiting = slots.acquire(run("tight", 1));
        assertFalse(waiting.granted());
        assertEquals(1, waiting.place());
        assertTrue(waiting.why().contains("at most 1 in namespace tight"), waiting.why());
        slots.release("tight-0");
        assertEquals("tight-1", started.get(started.size() - 1), "its own line's first, when its own run ended");
        assertTrue(slots.acquire(run("tight", 1)).granted(), "the reservation is claimed by asking again");
    }

    @Test
    void aReservationNobodyClaimsLapsesAndAWaiterThatWentAwayLeavesTheLine() {
        RunSlots slots = slots(1, null, Map.of());
        ask(slots, List.of(run("a", 0), run("a", 1), run("a", 2), run("b", 0)));
        slots.release("b-0"); // went away while waiting
        slots.release("a-0");
        assertEquals("a-1", started.get(started.size() - 1));
        now.addAndGet(RunSlots.RESERVATION.toNanos() + 1); // a-1 was deleted unseen
        assertFalse(slots.acquire(run("c", 0)).granted(), "a-2 asked first");
        assertEquals("a-2", started.get(started.size() - 1), "the lapsed slot went to the line");
        assertEquals(1, slots.running());
    }

    @Test
    void aNewLeaderCountsTheUnfinishedJobsOfItsCacheFirst() {
        RunSlots slots = slots(2, null, Map.of());
        Job running = new JobBuilder().withNewMetadata().withName("j1").withNamespace("a").addNewOwnerReference()
                .withUid("m1").endOwnerReference().endMetadata().build();
        Job done = new JobBuilder().withNewMetadata().withName("j2").withNamespace("a").addNewOwnerReference()
                .withUid("m2").endOwnerReference().endMetadata().withNewStatus().addNewCondition().withType("Complete")
                .withStatus("True").endCondition().endStatus().build();
        slots.seedFrom(() -> Stream.of(running, done));
        assertTrue(slots.acquire(run("a", 0)).granted());
        assertFalse(slots.acquire(run("a", 1)).granted(), "m1's run holds the other slot");
        slots.release("m1");
        assertEquals("a-1", started.get(started.size() - 1));
    }
}
