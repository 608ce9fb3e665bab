-- AgentMemory schema, version 2.
-- Agent ids are opaque keys: they are compared byte by byte (collation "C") instead of by the database's language
-- rules. Every insert into the primary key (agent_id, id) and every lookup of an agent compares agent ids; with a
-- language collation each comparison calls the C library's strcoll, with "C" it is a memory comparison. Equality
-- is unchanged (ids are equal under both exactly when their bytes are); only the order of different ids in the
-- index changes, which nothing relies on. Rebuilds the two primary keys.

ALTER TABLE __SCHEMA__.agents ALTER COLUMN agent_id TYPE text COLLATE "C";
ALTER TABLE __SCHEMA__.memories ALTER COLUMN agent_id TYPE text COLLATE "C";
