-- Where a deflection began: the contact form's suggestions or the chat
-- widget's, so the help center's report can tell them apart.
ALTER TABLE kb_deflections ADD COLUMN source TEXT NOT NULL DEFAULT 'contact' CHECK (source IN ('contact', 'widget'));
