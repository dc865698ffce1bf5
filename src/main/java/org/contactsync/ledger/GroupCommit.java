package org.contactsync.ledger;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Group commit: the units of work that threads hand in at the same moment (concurrent {@code POST /donors}
 * admissions, the resolution aggregator's completions, held webhook events) are written in
 * one transaction, and each
 * caller returns once the commit that holds its unit has returned. A commit costs the database a write of every page
 * it changed (H2 writes a chunk per commit with {@code WRITE_DELAY=0}), so one commit for a dozen donors is far cheaper
 * than a dozen, while nothing is answered before it is on disk: the durability is the same, only shared.
 *
 * <p>No thread of its own: the first caller to find no commit under way commits for everyone waiting (up to
 * {@value #MAX_GROUP} units), in its own thread; the callers that arrive meanwhile wait and form the next group. A unit
 * runs inside the group's transaction in that committing thread, so a unit must touch only the database and its own
 * return value, and be safe to run again: when a group fails (one unit's error, a refused commit) it is rolled back and
 * each of its units runs again alone, in a transaction of its own, so one donor's failure is not its neighbours'. A
 * database that refuses them all fails every one: none of a failed group is recorded, and each caller gets the error.
 *
 * <p>Only for units that each touch rows of their own: a group holds the locks of all its units until it commits, so
 * units that lock rows other multi-row transactions also lock (the live consumers' claims and marks, which a bulk
 * chunk's marks and the claim heartbeat share) deadlock with those transactions; they commit alone.
 *
 * <p>A caller already inside a transaction (a state change that joins a dead letter's, a chunk's marks) joins it
 * instead: the outer transaction's commit is what acknowledges it.
 */
public class GroupCommit {

    /** The units one transaction holds at most: a group waits for its commit, so a short one keeps latency low. */
    static final int MAX_GROUP = 64;

    private final TransactionTemplate transactions;
    private final ArrayDeque<Unit<?>> waiting = new ArrayDeque<>();
    private boolean committing;

    public GroupCommit(TransactionTemplate transactions) {
        this.transactions = transactions;
    }

    /** Runs {@code work} in a committed transaction shared with the other callers of the moment; its result, or its error. */
    public <T> T execute(Supplier<T> work) {
        if (TransactionSynchronizationManager.isActualTransactionActive()) {
            return work.get();
        }
        Unit<T> unit = new Unit<>(work);
        boolean interrupted = false;
        synchronized (this) {
            waiting.add(unit);
        }
        while (true) {
            List<Unit<?>> group = new ArrayList<>();
            synchronized (this) {
                while (committing && !unit.done) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        // a unit handed in is committed or failed, never abandoned half-way: the interrupt is kept for later
                        interrupted = true;
                    }
                }
                if (unit.done) {
                    break;
                }
                committing = true;
                while (!waiting.isEmpty() && group.size() < MAX_GROUP) {
                    group.add(waiting.poll());
                }
            }
            try {
                commit(group);
            } finally {
                synchronized (this) {
                    group.forEach(member -> member.done = true);
                    committing = false;
                    notifyAll();
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return unit.outcome();
    }

    private void commit(List<Unit<?>> group) {
        try {
            transactions.executeWithoutResult(status -> group.forEach(Unit::run));
        } catch (RuntimeException | Error failure) {
            if (group.size() == 1) {
                group.get(0).failure = failure;
                return;
            }
            for (Unit<?> unit : group) {
                try {
                    transactions.executeWithoutResult(status -> unit.run());
                } catch (RuntimeException | Error alone) {
                    unit.failure = alone;
                }
            }
        }
    }

    private static final class Unit<T> {

        private final Supplier<T> work;
        private T result;
        private Throwable failure;
        /** Set, and read, under the GroupCommit's lock. */
        private boolean done;

        Unit(Supplier<T> work) {
            this.work = work;
        }

        void run() {
            failure = null;
            result = work.get();
        }

        T outcome() {
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            return result;
        }
    }
}
