-- Histogram buckets as steps of at most 10 % (29 a decade from 100 s up)
-- instead of two significant digits of seconds (90 a decade): see
-- internal/metrics/percentile.go. Rows written before hold the finer
-- buckets; every read puts a bucket through the new bucket function, and
-- a finer bucket lies inside one step, so they count exactly as they are.
-- The background rebuild job (metrics.rebuild) merges them into their
-- steps one business day per transaction, from rebucket_day to
-- rebucket_to (NULL rebucket_day: none left), to make the rows fewer.
-- The range starts on the Monday of the first day and ends on the Sunday
-- of the last, so that the week rows of every week are merged too.
ALTER TABLE metric_zone ADD COLUMN rebucket_day BIGINT;
ALTER TABLE metric_zone ADD COLUMN rebucket_to BIGINT NOT NULL DEFAULT 0;
UPDATE metric_zone SET
    rebucket_day = (SELECT (MIN(day) + 3) / 7 * 7 - 3 FROM metric_hist),
    rebucket_to = (SELECT (MAX(day) + 3) / 7 * 7 + 3 FROM metric_hist)
WHERE EXISTS (SELECT 1 FROM metric_hist);
