-- Time zones of the people who read times: an agent's (set in preferences,
-- first from the browser) and a customer's when known (portal, chat or an
-- agent); "" falls back to the business's zone.
ALTER TABLE agents ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
