-- Live chat for agents (issue 15): each agent's chat capacity (open chats
-- at most, counted apart from their other tickets' capacity), whether a
-- new chat rings for them, and the greeting figures' index: chat tickets
-- by creation time, partial so it holds only chats.
ALTER TABLE agents ADD COLUMN chat_capacity INTEGER NOT NULL DEFAULT 3;
ALTER TABLE agents ADD COLUMN chat_muted INTEGER NOT NULL DEFAULT 0;
CREATE INDEX tickets_chat_created ON tickets (created_at, id) WHERE channel = 'chat';
