-- AgentMemory schema, version 3.
-- Where each memory came from and whether it is trusted. Memories stored before this version came through the API
-- and are trusted, which the defaults say.

ALTER TABLE __SCHEMA__.memories
    ADD COLUMN source smallint NOT NULL DEFAULT 0,
    ADD COLUMN trusted boolean NOT NULL DEFAULT true;
