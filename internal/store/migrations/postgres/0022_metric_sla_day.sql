-- SLA attainment counts every ticket whose target fell in the period: a
-- breached ticket on the day of its first breach, open or not, and a ticket
-- that met its targets on the day it was solved. sla_day is that day (NULL
-- while a ticket has no SLA outcome yet). The rollups are cleared so that
-- the metrics service rebuilds them from the tickets at the next start.
ALTER TABLE metric_facts ADD COLUMN sla_day BIGINT;
DELETE FROM metric_facts;
DELETE FROM metric_days;
DELETE FROM metric_hist;
