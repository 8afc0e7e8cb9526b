-- Promises can be cancelled, with the reason the agent gives: a plan that
-- no longer applies is neither kept nor broken.
ALTER TABLE promises DROP CONSTRAINT promises_status_check;
ALTER TABLE promises ADD CONSTRAINT promises_status_check CHECK (status IN ('open', 'kept', 'broken', 'cancelled'));
ALTER TABLE promises ADD COLUMN cancel_reason TEXT NOT NULL DEFAULT '';

-- Referral links: a customer's code, made when a promoter is first shown
-- the link; a contact through /contact?ref=CODE records the referrer.
ALTER TABLE customers ADD COLUMN referral_code TEXT;
CREATE UNIQUE INDEX customers_referral_code ON customers (referral_code) WHERE referral_code IS NOT NULL;
