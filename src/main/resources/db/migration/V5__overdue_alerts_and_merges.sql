-- Issue 17: overdue warnings, and merges followed by contact id.

-- The PENDING spells whose overdue warning (sync.pending.warn-after) was notified through sync.alert.endpoint. A spell is
-- one submit: the donor's submitted_at. So a restart never notifies a spell twice, nodes sharing the database notify
-- each spell once between them (the key), and a donor that leaves PENDING and crosses the threshold again after a later
-- submit is notified again. Rows of ended spells are removed once they no longer count for the rate limit.
CREATE TABLE IF NOT EXISTS overdue_alert (
    reference_source VARCHAR(100)             NOT NULL,
    reference_id     VARCHAR(200)             NOT NULL,
    submitted_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    notified_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (reference_source, reference_id, submitted_at)
);

CREATE INDEX IF NOT EXISTS overdue_alert_notified ON overdue_alert (notified_at);

-- A merge in Virtuous re-points every ledger row naming the merged Contact (SyncLedger.repoint): found by this index.
CREATE INDEX IF NOT EXISTS sync_ledger_contact ON sync_ledger (contact_id);

-- A stored webhook event held for a merge check: its Contact showed a pair of ours the ledger has SYNCED to another
-- Contact (a webhook for a merge's survivor). The reader reads it, and the recorded Contact, even when no donor awaits.
ALTER TABLE webhook_inbox ADD COLUMN IF NOT EXISTS merge_check BOOLEAN DEFAULT FALSE NOT NULL;
