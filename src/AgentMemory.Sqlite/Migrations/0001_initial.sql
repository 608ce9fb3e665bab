-- AgentMemory SQLite schema, version 1.
-- Times are UTC ticks (100 ns since 0001-01-01), ids 16-byte big-endian GUIDs (byte order = GUID order), JSON as
-- text kept exactly as written, embeddings little-endian float32 values. Every change set is one transaction that
-- takes the next number of the change sequence (feed_state.seq); the rows it writes carry that number, so a host
-- reads what others changed since its position. SQLite lets one transaction write at a time, so sequence order is
-- commit order and no transaction can commit behind a reader.

CREATE TABLE agents (
    agent_id         TEXT    NOT NULL PRIMARY KEY,
    created_at       INTEGER NOT NULL,
    learning_enabled INTEGER NOT NULL DEFAULT 1,
    settings         TEXT    NOT NULL DEFAULT '{}',
    writer           BLOB    NOT NULL,
    seq              INTEGER NOT NULL
);

CREATE INDEX agents_seq ON agents (seq);

-- A rowid table (not WITHOUT ROWID): a row with its embedding is larger than a twentieth of a page.
CREATE TABLE memories (
    agent_id         TEXT    NOT NULL,
    id               BLOB    NOT NULL,
    type             INTEGER NOT NULL,
    content          TEXT    NOT NULL,
    metadata         TEXT    NOT NULL DEFAULT '{}',
    importance       INTEGER NOT NULL,
    valence          REAL    NOT NULL DEFAULT 0,
    tags             TEXT    NOT NULL DEFAULT '[]',
    created_at       INTEGER NOT NULL,
    last_accessed_at INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    access_count     INTEGER NOT NULL DEFAULT 0,
    utility          REAL    NOT NULL DEFAULT 0,
    source_ids       BLOB,
    embedding        BLOB,
    embedding_model  TEXT,
    expires_at       INTEGER,
    version          INTEGER NOT NULL,
    source           INTEGER NOT NULL DEFAULT 0,
    trusted          INTEGER NOT NULL DEFAULT 1,
    writer           BLOB    NOT NULL,
    seq              INTEGER NOT NULL,
    -- Whether more than one host ever wrote the row: its last writer then reads it back too.
    merged           INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (agent_id, id)
);

CREATE INDEX memories_seq ON memories (seq);

-- Deleted memories, and erased agents (memory_id of 16 zero bytes), so no host writes them back. Pruned after a retention.
CREATE TABLE tombstones (
    agent_id   TEXT    NOT NULL,
    memory_id  BLOB    NOT NULL,
    writer     BLOB    NOT NULL,
    seq        INTEGER NOT NULL,
    deleted_at INTEGER NOT NULL,
    PRIMARY KEY (agent_id, memory_id)
) WITHOUT ROWID;

CREATE INDEX tombstones_seq ON tombstones (seq);
CREATE INDEX tombstones_deleted_at ON tombstones (deleted_at);

-- What each agent learned, as counters every host moves by deltas.
CREATE TABLE agent_counters (
    agent_id TEXT NOT NULL,
    key      TEXT NOT NULL,
    value    REAL NOT NULL,
    PRIMARY KEY (agent_id, key)
) WITHOUT ROWID;

-- The last numbered change set of each writer: a set retried after a lost acknowledgement is applied once.
CREATE TABLE writers (
    writer     BLOB    NOT NULL PRIMARY KEY,
    batch      INTEGER NOT NULL,
    written_at INTEGER NOT NULL
) WITHOUT ROWID;

-- The change sequence (the last number taken), and the position below which tombstones were pruned (a reader behind it reloads).
CREATE TABLE feed_state (
    id          INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    seq         INTEGER NOT NULL,
    -- Who took the last number: a host polling the file is not woken by its own commit.
    last_writer BLOB    NOT NULL,
    pruned_upto INTEGER NOT NULL
);

INSERT INTO feed_state (id, seq, last_writer, pruned_upto) VALUES (1, 0, zeroblob(16), 0);

-- Consolidation leases: one run per agent at a time across every process on the file. A lease of a process that died
-- expires; a live holder renews it.
CREATE TABLE consolidation_leases (
    agent_id   TEXT    NOT NULL PRIMARY KEY,
    holder     BLOB    NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
