-- Promises can be cancelled, with the reason the agent gives: a plan that
-- no longer applies is neither kept nor broken.
ALTER TABLE promises DROP CONSTRAINT promises_status_check;
ALTER TABLE promises ADD CONSTRAINT promises_status_check CHECK (status IN ('open', 'kept', 'broken', 'cancelled'));
ALTER TABLE promises ADD COLUMN cancel_reason TEXT NOT NULL DEFAULT '';
