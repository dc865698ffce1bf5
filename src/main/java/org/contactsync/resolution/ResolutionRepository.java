package org.contactsync.resolution;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.processor.aggregate.jdbc.JdbcAggregationRepository;
import org.apache.camel.spi.OptimisticLockingAggregationRepository.OptimisticLockingException;
import org.contactsync.ledger.ReferencePair;
import org.contactsync.ledger.SyncDatabase;
import org.contactsync.ledger.SyncLedger;

/**
 * The resolution aggregator's repository: camel-sql's JDBC repository on the ledger's database (tables
 * {@code sync_resolution} and {@code sync_resolution_completed}, created by the migrations), with optimistic locking on
 * its version column, so nodes sharing the database join each group once. It runs on the ledger's transaction manager,
 * so its writes join a transaction the ledger has open. A completed group stays in the completed table until the ledger
 * has recorded it; after a crash in between, the aggregator's recovery hands it on again (recording it twice changes
 * nothing: the ledger's transitions are guarded). Its completions go through the ledger's group commit: those of the
 * same moment share one commit.
 */
public class ResolutionRepository extends JdbcAggregationRepository {

    private final SyncDatabase database;
    private final SyncLedger ledger;
    /** The ids of the completed rows this node wrote or recovered and has not confirmed yet. */
    private final Set<String> completedRows = ConcurrentHashMap.newKeySet();

    public ResolutionRepository(SyncDatabase database, SyncLedger ledger) {
        super(database.transactionManager(), "sync_resolution", database);
        this.database = database;
        this.ledger = ledger;
    }

    /**
     * Holds a group: only ever an early confirmation (the strategy completes a submission with no group at once), whose
     * donor is not PENDING yet. The donor's row stays locked while the group is stored, so its submission cannot slip in
     * between the strategy's look at the ledger and this write, finding no group and completing alone: the row went
     * PENDING before (seen here: the aggregator retries the confirmation, which now completes) or goes PENDING after
     * this commits (its submission then finds the group). Its own transaction, not the group commit: a group of units
     * holding rows locked would deadlock with a chunk marking its donors.
     */
    @Override
    public Exchange add(CamelContext camelContext, String key, Exchange oldExchange, Exchange newExchange) {
        return database.transactions().execute(status -> {
            if (ResolutionJoin.awaits(ledger.lockedEntry(ResolutionJoin.reference(newExchange.getMessage().getBody(Map.class))))) {
                throw new OptimisticLockingException();
            }
            return super.add(camelContext, key, oldExchange, newExchange);
        });
    }

    /**
     * Whether the aggregator took this confirmation and yet neither recorded it nor holds it: its donor still awaits a
     * Contact and no group waits for the donor's submission, so its resolution failed (the completion logged why). The
     * group's key is the pair as the route's correlation expression writes it, {@code referenceSource:referenceId}.
     */
    public boolean dropped(Map<String, Object> confirmation) {
        ReferencePair reference = ResolutionJoin.reference(confirmation);
        return ResolutionJoin.awaits(ledger.entry(reference)) && jdbcTemplate.queryForObject("SELECT COUNT(*) FROM " + getRepositoryName()
                + " WHERE id = ?", Integer.class, reference.toString()) == 0;
    }

    /**
     * Completes the group only if it is still the version this node read. The parent ignores the version on delete, so
     * two nodes completing the same group at once would both go on (and clash on the completed row, when the group's
     * exchange is the same one); here the later one gets an optimistic-locking failure and the aggregator retries its
     * event against the group as it is now.
     */
    @Override
    public void remove(CamelContext camelContext, String key, Exchange exchange) {
        long version = exchange.getProperty(VERSION_PROPERTY, Long.class);
        database.groupCommit().execute(() -> {
            if (jdbcTemplate.update("DELETE FROM " + getRepositoryName() + " WHERE id = ? AND version = ?", key, version) == 0) {
                throw new OptimisticLockingException();
            }
            try {
                insert(camelContext, exchange.getExchangeId(), exchange, getRepositoryNameCompleted(), version);
            } catch (Exception e) {
                throw new IllegalStateException("Error completing key " + key + " in repository " + getRepositoryName(), e);
            }
            return null;
        });
        completedRows.add(exchange.getExchangeId());
    }

    /** A completed group left by a crash (this node's or another's), handed on again: its row is deleted once recorded. */
    @Override
    public Exchange recover(CamelContext camelContext, String exchangeId) {
        completedRows.add(exchangeId);
        return super.recover(camelContext, exchangeId);
    }

    /**
     * Deletes the completed row once the ledger has recorded the group. Most groups never had one: the submissions and
     * the confirmations that complete on their own (the donor already PENDING) are never stored, and asking the database
     * to delete nothing, once for every donor, would cost as much as the resolution.
     */
    @Override
    public boolean confirmWithResult(CamelContext camelContext, String exchangeId) {
        if (!completedRows.remove(exchangeId)) {
            return false;
        }
        return database.groupCommit().execute(() -> jdbcTemplate.update("DELETE FROM " + getRepositoryNameCompleted() + " WHERE id = ?",
                exchangeId) == 1);
    }
}
