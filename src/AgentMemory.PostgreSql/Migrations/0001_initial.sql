-- AgentMemory schema, version 1.
-- One row per agent, one row per memory. The memories table keeps a single index, its primary key
-- (agent_id, id): it serves loading one agent's memories (ids are time-ordered GUIDs, so this is also creation
-- order) and the upsert conflict target. Every further index costs write speed; recall runs in process.

CREATE TABLE __SCHEMA__.agents (
    agent_id          text        NOT NULL PRIMARY KEY,
    created_at        timestamptz NOT NULL,
    learning_enabled  boolean     NOT NULL DEFAULT true,
    settings          jsonb       NOT NULL DEFAULT '{}'::jsonb
);

CREATE TABLE __SCHEMA__.memories (
    agent_id          text             NOT NULL,
    id                uuid             NOT NULL,
    type              smallint         NOT NULL,
    content           text             NOT NULL,
    metadata          jsonb            NOT NULL DEFAULT '{}'::jsonb,
    importance        smallint         NOT NULL,
    valence           double precision NOT NULL DEFAULT 0,
    tags              text[]           NOT NULL DEFAULT '{}',
    created_at        timestamptz      NOT NULL,
    last_accessed_at  timestamptz      NOT NULL,
    updated_at        timestamptz      NOT NULL,
    access_count      bigint           NOT NULL DEFAULT 0,
    utility           double precision NOT NULL DEFAULT 0,
    source_ids        uuid[]           NOT NULL DEFAULT '{}',
    -- Little-endian float32 values; bytea decodes ~4x faster than real[] when an agent is loaded.
    embedding         bytea,
    embedding_model   text,
    expires_at        timestamptz,
    version           bigint           NOT NULL,
    PRIMARY KEY (agent_id, id)
);

-- A 384-float embedding is 1.5 KiB: keep it in the row (compressed if needed) rather than out of line.
ALTER TABLE __SCHEMA__.memories ALTER COLUMN embedding SET STORAGE MAIN;
