-- AgentMemory schema, version 4: several hosts on one database.
-- Every memory and agent row records the host that wrote it last (writer, set per transaction through the setting
-- agentmemory.writer), the transaction that wrote it (changed_xid), and whether more than one host ever wrote it
-- (merged: the row may then hold changes its last writer has not seen, so that writer reads it back too). A host
-- reads what others changed by transaction id, only up to the oldest transaction still running, so a transaction
-- that commits late is never skipped. Deleted memories leave a tombstone and erased agents a marker (memory_id all
-- zeros), so no host writes them back; both are pruned after a retention. Each host's change sets are numbered and
-- applied at most once (writers), which makes access counts and utility deltas safe to retry.

ALTER TABLE __SCHEMA__.memories
    ADD COLUMN writer uuid NOT NULL DEFAULT coalesce(nullif(current_setting('agentmemory.writer', true), ''), '00000000-0000-0000-0000-000000000000')::uuid,
    ADD COLUMN changed_xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    ADD COLUMN merged boolean NOT NULL DEFAULT false;

CREATE INDEX memories_changed_xid ON __SCHEMA__.memories (changed_xid);

ALTER TABLE __SCHEMA__.agents
    ADD COLUMN writer uuid NOT NULL DEFAULT coalesce(nullif(current_setting('agentmemory.writer', true), ''), '00000000-0000-0000-0000-000000000000')::uuid,
    ADD COLUMN changed_xid xid8 NOT NULL DEFAULT pg_current_xact_id();

CREATE INDEX agents_changed_xid ON __SCHEMA__.agents (changed_xid);

CREATE TABLE __SCHEMA__.tombstones (
    agent_id    text COLLATE "C" NOT NULL,
    memory_id   uuid        NOT NULL,
    writer      uuid        NOT NULL DEFAULT coalesce(nullif(current_setting('agentmemory.writer', true), ''), '00000000-0000-0000-0000-000000000000')::uuid,
    changed_xid xid8        NOT NULL DEFAULT pg_current_xact_id(),
    deleted_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agent_id, memory_id)
);

CREATE INDEX tombstones_changed_xid ON __SCHEMA__.tombstones (changed_xid);
CREATE INDEX tombstones_deleted_at ON __SCHEMA__.tombstones (deleted_at);

-- What each agent learned, as counters that every host moves by deltas (no host's lessons overwrite another's).
CREATE TABLE __SCHEMA__.agent_counters (
    agent_id text COLLATE "C" NOT NULL,
    key      text             NOT NULL,
    value    double precision NOT NULL,
    PRIMARY KEY (agent_id, key)
);

CREATE TABLE __SCHEMA__.writers (
    writer     uuid        NOT NULL PRIMARY KEY,
    batch      bigint      NOT NULL,
    written_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE __SCHEMA__.feed_state (
    id          integer NOT NULL PRIMARY KEY CHECK (id = 1),
    pruned_upto xid8    NOT NULL
);

INSERT INTO __SCHEMA__.feed_state (id, pruned_upto) VALUES (1, '0');
