using System.Runtime.InteropServices;
using System.Text.Json;
using AgentMemory.Shared;
using Npgsql;

namespace AgentMemory.PostgreSql.Storage;

/// <summary>
/// Copies memories into a table with one raw binary COPY, in <see cref="MemoryColumns.List"/> order: rows are encoded
/// into a pooled buffer (<see cref="BinaryCopyBuffer"/>) and sent in chunks. Encoding a row this way costs about a
/// third of the CPU of Npgsql's binary importer, which makes one driver call per value; the writer's CPU is taken from
/// the cores the database and the agents share while memories are being remembered.
/// </summary>
internal static class MemoryRowWriter
{
    private const int ChunkBytes = 64 * 1024;

    /// <summary>
    /// Copies <paramref name="entries"/> into <paramref name="table"/>. A row the database refuses surfaces as a
    /// <see cref="PostgresException"/> when the copy ends; a copy that fails on this side is cancelled, so none of it counts.
    /// </summary>
    public static Task CopyAsync(NpgsqlConnection connection, string table, IReadOnlyList<MemoryEntry> entries, TimeSpan timeout, CancellationToken cancellationToken) =>
        CopyRowsAsync(connection, $"COPY {table} ({MemoryColumns.List}) FROM STDIN (FORMAT BINARY)", entries, static (rows, entry) => Write(rows, entry), timeout, cancellationToken);

    /// <summary>
    /// Copies new memories of one change set into the memories table with their bookkeeping columns given (the writer
    /// and the writing transaction's id) rather than left to the columns' defaults: a default expression is evaluated
    /// for every row, and those two (a setting read and cast to a uuid, and the transaction id) took about 2 µs a row
    /// of the server's time.
    /// </summary>
    public static Task CopyNewAsync(NpgsqlConnection connection, string table, IReadOnlyList<MemoryEntry> entries, Guid writer, long transactionId, TimeSpan timeout, CancellationToken cancellationToken) =>
        CopyRowsAsync(
            connection,
            $"COPY {table} ({MemoryColumns.List}, writer, changed_xid) FROM STDIN (FORMAT BINARY)",
            entries,
            (rows, entry) =>
            {
                Write(rows, entry, extraColumns: 2);
                rows.Uuid(writer);
                rows.Bigint(transactionId);
            },
            timeout,
            cancellationToken);

    /// <summary>Copies patches into a staging table: each memory's columns, then the patch's fields and utility delta.</summary>
    public static Task CopyPatchesAsync(NpgsqlConnection connection, string table, IReadOnlyList<AgentMemory.Storage.MemoryPatch> patches, TimeSpan timeout, CancellationToken cancellationToken) =>
        CopyRowsAsync(
            connection,
            $"COPY {table} ({MemoryColumns.List}, fields, utility_delta) FROM STDIN (FORMAT BINARY)",
            patches,
            static (rows, patch) =>
            {
                Write(rows, patch.Entry, extraColumns: 2);
                rows.Integer((int)patch.Fields);
                rows.Double(patch.UtilityDelta);
            },
            timeout,
            cancellationToken);

    private static async Task CopyRowsAsync<T>(NpgsqlConnection connection, string command, IReadOnlyList<T> items, Action<BinaryCopyBuffer, T> write, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var copy = await connection.BeginRawBinaryCopyAsync(command, cancellationToken).ConfigureAwait(false);
        copy.WriteTimeout = copy.ReadTimeout = (int)timeout.TotalMilliseconds;
        using (var rows = new BinaryCopyBuffer(2 * ChunkBytes))
        {
            try
            {
                rows.Header();
                foreach (var item in items)
                {
                    write(rows, item);
                    if (rows.Length >= ChunkBytes)
                    {
                        await copy.WriteAsync(rows.Written, cancellationToken).ConfigureAwait(false);
                        rows.Clear();
                    }
                }

                rows.Trailer();
                await copy.WriteAsync(rows.Written, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception)
            {
                await DiscardAsync(copy).ConfigureAwait(false);
                throw;
            }
        }

        // Ends the copy: the database's verdict on the rows arrives here.
        await copy.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>One memory as a row of the copy.</summary>
    public static void Write(BinaryCopyBuffer rows, MemoryEntry entry, short extraColumns = 0)
    {
        rows.StartRow((short)(MemoryColumns.Count + extraColumns));
        rows.Text(entry.AgentId);
        rows.Uuid(entry.Id);
        rows.Smallint((short)entry.Type);
        rows.Text(entry.Content);
        rows.Jsonb(entry.Metadata.ValueKind == JsonValueKind.Undefined ? "{}"u8 : JsonMarshal.GetRawUtf8Value(entry.Metadata));
        rows.Smallint((short)entry.Importance);
        rows.Double(entry.Valence);
        rows.TextArray(entry.Tags);
        rows.TimestampTz(entry.CreatedAt);
        rows.TimestampTz(entry.LastAccessedAt);
        rows.TimestampTz(entry.UpdatedAt);
        rows.Bigint(entry.AccessCount);
        rows.Double(entry.Utility);
        rows.UuidArray(entry.SourceIds);
        if (entry.Embedding is { } embedding)
        {
            EmbeddingBytes.Encode(embedding.Span, rows.Bytea(embedding.Length * sizeof(float)));
        }
        else
        {
            rows.Null();
        }

        rows.Text(entry.EmbeddingModel);
        if (entry.ExpiresAt is { } expires)
        {
            rows.TimestampTz(expires);
        }
        else
        {
            rows.Null();
        }

        rows.Bigint(entry.Version);
        rows.Smallint((short)entry.Source);
        rows.Boolean(entry.Trusted);
    }

    /// <summary>
    /// Cancels a copy that failed on this side, so the database discards what it received. When the connection is
    /// gone, or the database had already refused a row, there is nothing to discard: the original failure is what counts.
    /// </summary>
    private static async Task DiscardAsync(NpgsqlRawCopyStream copy)
    {
        try
        {
            await copy.CancelAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or ObjectDisposedException or InvalidOperationException or IOException)
        {
        }
    }
}
