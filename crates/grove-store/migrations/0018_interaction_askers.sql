-- Who asked, when no API key did: the console user whose question it was
-- (the API's askers are known through their key). Analytics counts
-- distinct askers as this user, else the key's user, else the key.
ALTER TABLE interactions ADD COLUMN user_id TEXT;
