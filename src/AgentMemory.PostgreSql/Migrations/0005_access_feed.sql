-- AgentMemory schema, version 5: accesses travel light.
-- Accesses are counted in a narrow table of their own, not by rewriting the memory's row: the row keeps the access
-- count and last access it was remembered with, and memory_accesses the totals since the first access (counted from
-- that row's count). An access changes only that narrow row, in accessed_xid; the change feed sends every host the
-- new totals, not the whole memory, and an access does not make the memory another host's write (writer, merged).
-- When a memory is deleted or its agent erased, its row here is emptied (NULL totals) in the same ordered statement
-- that adds accesses, so a memory remembered again under that id counts only its own accesses; readers join these rows
-- to their memories, and pruning removes the rows whose memory is gone.

CREATE TABLE __SCHEMA__.memory_accesses (
    agent_id         text COLLATE "C" NOT NULL,
    memory_id        uuid        NOT NULL,
    access_count     bigint,
    last_accessed_at timestamptz,
    -- How many accesses the last change added (what an upsert adds to a row it finds).
    added            bigint      NOT NULL,
    accessed_xid     xid8        NOT NULL DEFAULT pg_current_xact_id(),
    PRIMARY KEY (agent_id, memory_id)
);

CREATE INDEX memory_accesses_accessed_xid ON __SCHEMA__.memory_accesses (accessed_xid);
