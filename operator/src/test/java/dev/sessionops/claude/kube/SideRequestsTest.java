package dev.sessionops.claude.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.client.KubernetesClientException;

class SideRequestsTest {
    private final SideRequests side = new SideRequests(1);
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        side.stop();
    }

    @Test
    void theRequestRunsWhileTheCallerGoesOn() throws Exception {
        CountDownLatch callerWentOn = new CountDownLatch(1);
        AtomicReference<String> ranOn = new AtomicReference<>();

        SideRequests.Pending pending = side.start(() -> {
            ranOn.set(Thread.currentThread().getName());
            await(callerWentOn); // it can only end once the caller has moved past start()
        });
        callerWentOn.countDown();
        pending.await();

        assertNotEquals(Thread.currentThread().getName(), ranOn.get());
        assertTrue(ranOn.get().startsWith("cso-side-request-"), ranOn.get());
    }

    @Test
    void itsFailureIsThrownToTheCallerAsItWasThrown() {
        KubernetesClientException refused = new KubernetesClientException("exceeded quota", 403, null);

        SideRequests.Pending pending = side.start(() -> {
            throw refused;
        });

        assertSame(refused, assertThrows(KubernetesClientException.class, pending::await),
                "the same exception: callers read its code and status as if they had made the request");
    }

    @Test
    void whenEveryThreadIsBusyTheRequestRunsOnTheCallersThreadFirst() {
        side.start(() -> await(release)); // the one thread, held
        AtomicReference<String> ranOn = new AtomicReference<>();

        SideRequests.Pending pending = side.start(() -> ranOn.set(Thread.currentThread().getName()));

        assertEquals(Thread.currentThread().getName(), ranOn.get(), "done before start() returned: no queue, no wait");
        pending.await();
    }

    @Test
    void afterTheApplicationStoppedTheRequestIsStillMadeNotDropped() {
        side.stop();
        AtomicReference<String> ranOn = new AtomicReference<>();

        SideRequests.Pending pending = side.start(() -> ranOn.set(Thread.currentThread().getName()));

        pending.await(); // would wait for ever for a request dropped unseen
        assertEquals(Thread.currentThread().getName(), ranOn.get());
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
