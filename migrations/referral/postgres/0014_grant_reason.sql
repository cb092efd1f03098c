-- +goose Up
-- Why a candidate's grant was revoked, a code (pkg/grantchange): the
-- candidate's decline, expiry or withdrawal decided here, or what intake
-- revoked it for (the person's consent withdrawn, the purge, the end of
-- the follow-up window) as told on intake's outbox. Revocations now travel
-- on the outbox in the change's transaction; a grant still due from
-- before ('revoke') is handed to the outbox by the sweeper.
ALTER TABLE referral_candidates ADD COLUMN grant_reason TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE referral_candidates DROP COLUMN grant_reason;
