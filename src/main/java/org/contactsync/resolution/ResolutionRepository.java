package org.contactsync.resolution;

import javax.sql.DataSource;

import org.apache.camel.CamelContext;
import org.apache.camel.processor.aggregate.jdbc.JdbcAggregationRepository;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * The resolution aggregator's repository: camel-sql's JDBC repository on the ledger's database (tables
 * {@code sync_resolution} and {@code sync_resolution_completed}, created with the schema).
 */
public class ResolutionRepository extends JdbcAggregationRepository {

    public ResolutionRepository(DataSource dataSource) {
        super(new DataSourceTransactionManager(dataSource), "sync_resolution", dataSource);
    }

    /**
     * A group that its first message completes (a confirmation for a donor already PENDING with no group held) is never
     * stored, yet the aggregator confirms it: there is nothing to delete then, which the parent logs as an ERROR.
     */
    @Override
    public boolean confirmWithResult(CamelContext camelContext, String exchangeId) {
        return jdbcTemplate.update("DELETE FROM " + getRepositoryNameCompleted() + " WHERE id = ?", exchangeId) == 1;
    }
}
