using System.Runtime.InteropServices;
using System.Text.Json;
using AgentMemory.Sqlite;
using AgentMemory.Sqlite.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace AgentMemory.Benchmarks.Sqlite;

/// <summary>
/// A fresh database file with AgentMemory's tables, in a temporary folder on the machine's disk, removed when disposed;
/// and the baselines' hand-written access to it.
/// </summary>
internal sealed class SqliteBenchmarkFile : IAsyncDisposable
{
    private readonly DirectoryInfo _folder;

    private SqliteBenchmarkFile(DirectoryInfo folder)
    {
        _folder = folder;
        Path = System.IO.Path.Combine(folder.FullName, "bench.db");
        ConnectionString = new SqliteConnectionStringBuilder { DataSource = Path, Pooling = true }.ToString();
    }

    public string Path { get; }

    public string ConnectionString { get; }

    public static async Task<SqliteBenchmarkFile> CreateAsync()
    {
        var file = new SqliteBenchmarkFile(Directory.CreateTempSubdirectory("agentmemory-bench-"));
        var options = new SqliteMemoryStoreOptions();
        await new SqliteMemoryStore(new SqliteConnections(file.ConnectionString, options), Options.Create(options)).InitializeAsync();
        return file;
    }

    /// <summary>A connection set up as the store's are (synchronous commits in WAL mode, the same page cache), for the baselines.</summary>
    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var setup = connection.CreateCommand();
        setup.CommandText = "PRAGMA synchronous = FULL; PRAGMA cache_size = -8192;";
        setup.ExecuteNonQuery();
        return connection;
    }

    /// <summary>An INSERT of one memory into the store's table, as a developer would write it by hand: one parameter per column.</summary>
    public static SqliteCommand Insert(SqliteConnection connection)
    {
        var command = connection.CreateCommand();
        command.CommandText =
            "INSERT INTO memories (agent_id, id, type, content, metadata, importance, valence, tags, created_at, last_accessed_at, updated_at, " +
            "access_count, utility, source_ids, embedding, embedding_model, expires_at, version, source, trusted, writer, seq, merged) " +
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, zeroblob(16), 0, 0)";
        for (var i = 1; i <= 20; i++)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = "$" + i });
        }

        return command;
    }

    public static void Bind(SqliteCommand insert, MemoryEntry entry)
    {
        var p = insert.Parameters;
        p[0].Value = entry.AgentId;
        p[1].Value = entry.Id.ToByteArray(bigEndian: true);
        p[2].Value = (int)entry.Type;
        p[3].Value = entry.Content;
        p[4].Value = entry.Metadata.GetRawText();
        p[5].Value = (int)entry.Importance;
        p[6].Value = entry.Valence;
        p[7].Value = JsonSerializer.Serialize(entry.Tags);
        p[8].Value = entry.CreatedAt.UtcTicks;
        p[9].Value = entry.LastAccessedAt.UtcTicks;
        p[10].Value = entry.UpdatedAt.UtcTicks;
        p[11].Value = entry.AccessCount;
        p[12].Value = entry.Utility;
        p[13].Value = DBNull.Value;
        p[14].Value = MemoryMarshal.AsBytes(entry.Embedding!.Value.Span).ToArray();
        p[15].Value = entry.EmbeddingModel;
        p[16].Value = DBNull.Value;
        p[17].Value = entry.Version;
        p[18].Value = (int)entry.Source;
        p[19].Value = entry.Trusted;
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }
}
