package org.contactsync.resolution;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The resolution aggregator's executor: runs each completed group on its pool and returns once the group is recorded.
 * So the caller (a webhook delivery, a submission, the poll) goes on, and answers, only after the ledger holds the
 * resolution, which a group its first message completes (a confirmation for a donor already PENDING) has nowhere else
 * on disk. A pool rather than the caller's own thread: a completion nested in the caller's split would nest the next
 * item's in it, as deep as the split is long; and several completions at once share their ledger commits.
 */
public final class CompletionPool extends AbstractExecutorService {

    private final ExecutorService pool;

    /** {@code pool}: where the completions run; its owner (Camel's executor service manager) shuts it down. */
    public CompletionPool(ExecutorService pool) {
        this.pool = pool;
    }

    @Override
    public void execute(Runnable completion) {
        Future<?> recorded = pool.submit(completion);
        boolean interrupted = false;
        while (true) {
            try {
                recorded.get();
                break;
            } catch (InterruptedException e) {
                // the completion runs on regardless: the caller answers once it is recorded, the interrupt kept for later
                interrupted = true;
            } catch (ExecutionException e) {
                throw new IllegalStateException("the resolution of a completed group failed", e.getCause());
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void shutdown() {
        pool.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
        return pool.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
        return pool.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return pool.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return pool.awaitTermination(timeout, unit);
    }
}
