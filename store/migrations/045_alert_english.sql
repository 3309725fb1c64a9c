-- An alert's title and message in English too, for the English screen (rules carry both titles).
-- Alerts raised before read '' (the screen shows the Chinese).
ALTER TABLE alerts ADD COLUMN IF NOT EXISTS title_en String AFTER title;
ALTER TABLE alerts ADD COLUMN IF NOT EXISTS message_en String AFTER message;
