-- The new donors waiting to be sent (state RECEIVED, no Contact yet), which the live plan, the live and bulk workers
-- and the switch to coalescing look up every second: without it, a query naming both columns walks the contact_id
-- index over every PENDING donor (tens of thousands after a backfill), where this index finds the few waiting ones.
CREATE INDEX sync_ledger_waiting ON sync_ledger (state, contact_id);
