-- Per-agent rights (issue 16): an agent an admin has given the right to
-- write and publish the knowledge base, whatever their role.
ALTER TABLE agents ADD COLUMN kb_editor BOOLEAN NOT NULL DEFAULT FALSE;
