-- AgentMemory SQLite schema, version 2: accesses travel light.
-- An access changes only a memory's access count and last access, and marks its change set in accessed_seq instead
-- of seq: the change feed sends every host the new totals, not the whole row, and an access does not make the row
-- another host's write (writer, merged). Rows accessed before this version keep 0: they travel as before.

ALTER TABLE memories ADD COLUMN accessed_seq INTEGER NOT NULL DEFAULT 0;

CREATE INDEX memories_accessed_seq ON memories (accessed_seq);
