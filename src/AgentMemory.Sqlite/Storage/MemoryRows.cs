using AgentMemory.Shared;
using Microsoft.Data.Sqlite;

namespace AgentMemory.Sqlite.Storage;

/// <summary>
/// The memories table's columns in the one order every statement and reader of this package uses, and a command that
/// writes them with reused parameters (prepared once per transaction).
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
    /// overwritten (a merge computed in process), else left alone (the command then changes no row).
    /// </summary>
    public static SqliteCommand Insert(SqliteConnection connection, SqliteTransaction transaction, bool overwrite)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        var names = string.Join(", ", Names.Select(static n => "$" + n));
        command.CommandText =
            $"INSERT INTO memories ({Columns}, writer, seq, merged) VALUES ({names}, $writer, $seq, $merged) ON CONFLICT (agent_id, id) " +
            (overwrite
                ? "DO UPDATE SET " + string.Join(", ", Names.Skip(2).Select(static n => $"{n} = excluded.{n}")) +
                  ", merged = merged OR writer <> excluded.writer OR excluded.merged, writer = excluded.writer, seq = excluded.seq"
                : "DO NOTHING");
        foreach (var name in Names)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = "$" + name });
        }

        command.Parameters.Add(new SqliteParameter { ParameterName = "$writer" });
        command.Parameters.Add(new SqliteParameter { ParameterName = "$seq" });
        command.Parameters.Add(new SqliteParameter { ParameterName = "$merged" });
        return command;
    }

    /// <summary>Sets the parameters of a command from <see cref="Insert"/> to one memory.</summary>
    public static void Bind(SqliteCommand command, MemoryEntry entry, byte[] writer, long seq, bool merged)
    {
        var p = command.Parameters;
        p[0].Value = entry.AgentId;
        p[1].Value = SqliteValues.Id(entry.Id);
        p[2].Value = (int)entry.Type;
        p[3].Value = entry.Content;
        p[4].Value = SqliteValues.Json(entry.Metadata);
        p[5].Value = (int)entry.Importance;
        p[6].Value = entry.Valence;
        p[7].Value = SqliteValues.Tags(entry.Tags);
        p[8].Value = SqliteValues.Time(entry.CreatedAt);
        p[9].Value = SqliteValues.Time(entry.LastAccessedAt);
        p[10].Value = SqliteValues.Time(entry.UpdatedAt);
        p[11].Value = entry.AccessCount;
        p[12].Value = entry.Utility;
        p[13].Value = (object?)SqliteValues.Ids(entry.SourceIds) ?? DBNull.Value;
        p[14].Value = entry.Embedding is { } embedding ? EmbeddingBytes.Encode(embedding.Span) : DBNull.Value;
        p[15].Value = (object?)entry.EmbeddingModel ?? DBNull.Value;
        p[16].Value = entry.ExpiresAt is { } expires ? SqliteValues.Time(expires) : DBNull.Value;
        p[17].Value = entry.Version;
        p[18].Value = (int)entry.Source;
        p[19].Value = entry.Trusted;
        p[20].Value = writer;
        p[21].Value = seq;
        p[22].Value = merged;
    }
}
