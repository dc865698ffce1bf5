-- What became of a PENDING donor's submit. SENT is recorded, durably, before the Contact Transaction or Batch request
-- leaves; ACCEPTED once Virtuous answered 200. A SENT donor may be held by Virtuous (a crash, a timeout or a reset
-- after the request left): it is resolved by its webhook or the poll like any PENDING donor, and submitted again only
-- when Virtuous still has nothing for it at sync.pending.deadline.
ALTER TABLE sync_ledger ADD COLUMN submit_outcome VARCHAR(16);
-- Under release 0.1 a donor became PENDING only once Virtuous had answered 200.
UPDATE sync_ledger SET submit_outcome = 'ACCEPTED' WHERE submitted_at IS NOT NULL;

-- The update in flight: for each Virtuous record a PUT is about to write ("contact:1234", "address:56"), the
-- modifiedDateTimeUtc of the copy it was applied to, as JSON. Recorded before the PUT leaves and cleared with the
-- update's end, so an update interrupted by a crash knows, from a fresh read, whether its PUT landed and whether
-- someone wrote the record since: it never writes over a newer change.
ALTER TABLE sync_ledger ADD COLUMN write_intent VARCHAR(4000);

-- Which of the claiming node's exchanges holds the claim: only that one may mark the donor's submit as sent, and the
-- claim is given up as soon as that exchange ends without moving the donor on (the bundle stopping, say).
ALTER TABLE sync_ledger ADD COLUMN claimed_for VARCHAR(100);
-- A node takes its own claims back at start.
CREATE INDEX sync_ledger_claimed_by ON sync_ledger (claimed_by);
