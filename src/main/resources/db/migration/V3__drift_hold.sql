-- The donors the drift guard holds: each RECEIVED donor here carries a value the organisation no longer has (a Contact
-- Type, a contact method type or a custom field renamed or removed in Virtuous since the bundle last saw it), so it is
-- neither submitted (Virtuous's import would reject it) nor dead-lettered. The redrive and the bulk worker leave it
-- alone; the next check of the organisation that finds the value again, or a newer donor, lets it go on.
CREATE TABLE drift_hold (
    reference_source VARCHAR(100)  NOT NULL,
    reference_id     VARCHAR(200)  NOT NULL,
    reason           VARCHAR(4000) NOT NULL,
    held_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (reference_source, reference_id)
);
