-- AgentMemory schema, version 5: accesses travel light.
-- An access changes only a memory's access count and last access, and marks the transaction in accessed_xid instead
-- of changed_xid: the change feed sends every host the new totals, not the whole row, and an access does not make
-- the row another host's write (writer, merged). Rows accessed before this version keep 0: they travel as before.

ALTER TABLE __SCHEMA__.memories
    ADD COLUMN accessed_xid xid8 NOT NULL DEFAULT '0';

CREATE INDEX memories_accessed_xid ON __SCHEMA__.memories (accessed_xid);
