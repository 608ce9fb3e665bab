using System.Runtime.InteropServices;
using AgentMemory.Shared;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace AgentMemory.Sqlite.Storage;

/// <summary>
/// The memories table's columns in the one order every statement and reader of this package uses, and the statement
/// that writes a whole row.
/// </summary>
internal static class MemoryRows
{
    public const string Columns =
        "agent_id, id, type, content, metadata, importance, valence, tags, created_at, last_accessed_at, updated_at, " +
        "access_count, utility, source_ids, embedding, embedding_model, expires_at, version, source, trusted";

    /// <summary>How many columns <see cref="Columns"/> names; the bookkeeping columns (writer, seq, merged) follow.</summary>
    public const int Count = 20;

    private static readonly string[] Names = [.. Columns.Split(", ")];

    /// <summary>
    /// An INSERT of every column and the bookkeeping ones; with <paramref name="overwrite"/>, a row stored already is
    /// overwritten (a merge computed in process), else left alone (the statement then changes no row).
    /// </summary>
    public static Insert Prepare(SqliteConnection connection, bool overwrite)
    {
        var values = string.Join(", ", Enumerable.Range(1, Count + 3).Select(static i => "?" + i));
        var sql =
            $"INSERT INTO memories ({Columns}, writer, seq, merged) VALUES ({values}) ON CONFLICT (agent_id, id) " +
            (overwrite
                ? "DO UPDATE SET " + string.Join(", ", Names.Skip(2).Select(static n => $"{n} = excluded.{n}")) +
                  ", merged = merged OR writer <> excluded.writer OR excluded.merged, writer = excluded.writer, seq = excluded.seq"
                : "DO NOTHING");
        return new Insert(connection, sql);
    }

    /// <summary>
    /// A prepared INSERT of whole rows, bound straight through SQLite's API: each value by position, ids and embeddings
    /// from spans with no array made for them. The write-behind writer inserts thousands of rows per batch, and
    /// Microsoft.Data.Sqlite's parameters (looked up by name for every row, values boxed) cost a sixth of that time.
    /// </summary>
    internal sealed class Insert : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly sqlite3_stmt _statement;

        public Insert(SqliteConnection connection, string sql)
        {
            _connection = connection;
            Check(raw.sqlite3_prepare_v2(connection.Handle, sql, out _statement));
        }

        /// <summary>Writes one memory; returns whether a row was inserted or changed.</summary>
        public bool Run(MemoryEntry entry, byte[] writer, long seq, bool merged)
        {
            var s = _statement;
            Span<byte> id = stackalloc byte[16];
            entry.Id.TryWriteBytes(id, bigEndian: true, out _);
            raw.sqlite3_bind_text(s, 1, entry.AgentId);
            raw.sqlite3_bind_blob(s, 2, id);
            raw.sqlite3_bind_int(s, 3, (int)entry.Type);
            raw.sqlite3_bind_text(s, 4, entry.Content);
            raw.sqlite3_bind_text(s, 5, SqliteValues.Json(entry.Metadata));
            raw.sqlite3_bind_int(s, 6, (int)entry.Importance);
            raw.sqlite3_bind_double(s, 7, entry.Valence);
            raw.sqlite3_bind_text(s, 8, SqliteValues.Tags(entry.Tags));
            raw.sqlite3_bind_int64(s, 9, SqliteValues.Time(entry.CreatedAt));
            raw.sqlite3_bind_int64(s, 10, SqliteValues.Time(entry.LastAccessedAt));
            raw.sqlite3_bind_int64(s, 11, SqliteValues.Time(entry.UpdatedAt));
            raw.sqlite3_bind_int64(s, 12, entry.AccessCount);
            raw.sqlite3_bind_double(s, 13, entry.Utility);
            BindBlobOrNull(14, SqliteValues.Ids(entry.SourceIds));
            if (entry.Embedding is { } embedding)
            {
                raw.sqlite3_bind_blob(s, 15, BitConverter.IsLittleEndian ? MemoryMarshal.AsBytes(embedding.Span) : EmbeddingBytes.Encode(embedding.Span));
            }
            else
            {
                raw.sqlite3_bind_null(s, 15);
            }

            if (entry.EmbeddingModel is { } model)
            {
                raw.sqlite3_bind_text(s, 16, model);
            }
            else
            {
                raw.sqlite3_bind_null(s, 16);
            }

            if (entry.ExpiresAt is { } expires)
            {
                raw.sqlite3_bind_int64(s, 17, SqliteValues.Time(expires));
            }
            else
            {
                raw.sqlite3_bind_null(s, 17);
            }

            raw.sqlite3_bind_int64(s, 18, entry.Version);
            raw.sqlite3_bind_int(s, 19, (int)entry.Source);
            raw.sqlite3_bind_int(s, 20, entry.Trusted ? 1 : 0);
            raw.sqlite3_bind_blob(s, 21, writer);
            raw.sqlite3_bind_int64(s, 22, seq);
            raw.sqlite3_bind_int(s, 23, merged ? 1 : 0);
            var result = raw.sqlite3_step(s);
            raw.sqlite3_reset(s);
            Check(result == raw.SQLITE_DONE ? raw.SQLITE_OK : result);
            return raw.sqlite3_changes(_connection.Handle) > 0;
        }

        public void Dispose() => _statement.Dispose();

        private void BindBlobOrNull(int index, byte[]? value)
        {
            if (value is null)
            {
                raw.sqlite3_bind_null(_statement, index);
            }
            else
            {
                raw.sqlite3_bind_blob(_statement, index, value);
            }
        }

        private void Check(int result) => SqliteException.ThrowExceptionForRC(result, _connection.Handle);
    }
}
