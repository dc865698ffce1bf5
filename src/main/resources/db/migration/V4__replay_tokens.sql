-- A replay preview an operator was shown: the token names exactly the dead letters it listed, each with the version
-- (its donor and the donor's ledger row, hashed) the diff was made from. Applying the token sets applied_at first, in
-- one UPDATE, so a token applied twice, or twice at once, replays its letters once; a letter whose version changed
-- since the preview is not replayed. The outcome of the apply is kept for the second caller's answer.
CREATE TABLE replay_token (
    token      VARCHAR(64)    PRIMARY KEY,
    letters    VARCHAR(100000) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    applied_at TIMESTAMP WITH TIME ZONE,
    outcome    VARCHAR(4000)
);
