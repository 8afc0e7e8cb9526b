-- A webhook.event fan-out run again after its node died looks up the
-- deliveries it already wrote for the message, so that it sends none twice.
CREATE INDEX webhook_deliveries_message ON webhook_deliveries (webhook_id, message_id);
