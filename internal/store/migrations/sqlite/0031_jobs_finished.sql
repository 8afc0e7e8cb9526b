-- Finished jobs are pruned by age (jobs.prune): the index lets each batch
-- find the oldest done or failed rows without reading the rest.
CREATE INDEX jobs_finished ON jobs (status, updated_at);
