-- A bulk load the live path opened while it coalesces (sync.live.max-delay): its donors arrived one by one, and are
-- sent in Contact Batch chunks by the live worker, in the rate governor's live lane, instead of one by one.
ALTER TABLE bulk_load ADD COLUMN live BOOLEAN DEFAULT FALSE NOT NULL;
