package dev.sessionops.claude.kube;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Runs an API request beside another one its caller makes meanwhile, so that two independent requests of one
 * reconcile cost one round trip instead of two (each is 5-10 ms on a busy control plane). Bounded: at most
 * {@link #THREADS} run beside their callers; past that a request runs on the caller's thread before it goes on, as it
 * would without this class, so a burst of reconciles never waits on this pool and never grows it (nor does a
 * reconcile still running while the application stops: its request is made, never dropped).
 */
@ApplicationScoped
public class SideRequests {
    static final int THREADS = 8;

    private final ThreadPoolExecutor pool;

    public SideRequests() {
        this(THREADS);
    }

    SideRequests(int threads) {
        AtomicInteger count = new AtomicInteger();
        pool = new ThreadPoolExecutor(0, threads, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "cso-side-request-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, (request, pool) -> request.run()); // busy, or shut down (CallerRunsPolicy would drop it then): run it here
    }

    /** Starts {@code request} now, beside the caller (or runs it here, when all threads are busy). */
    public Pending start(Runnable request) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        pool.execute(() -> {
            try {
                request.run();
                done.complete(null);
            } catch (RuntimeException | Error e) {
                done.completeExceptionally(e);
            }
        });
        return new Pending(done);
    }

    @PreDestroy
    void stop() {
        pool.shutdownNow();
    }

    /** A request under way. */
    public static final class Pending {
        private final Future<Void> done;

        Pending(Future<Void> done) {
            this.done = done;
        }

        /**
         * Waits for the request to end; its failure is thrown here as it was thrown there (the same exception, so
         * callers handle it as they would have handled the request made in line).
         */
        public void await() {
            try {
                done.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a request", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause(); // the request's own: completed exceptionally with it, never wrapped
                if (cause instanceof RuntimeException r) {
                    throw r;
                }
                if (cause instanceof Error error) {
                    throw error;
                }
                throw new IllegalStateException(cause);
            }
        }
    }
}
