using System.Runtime.InteropServices;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace AgentMemory.PostgreSql.Storage;

/// <summary>
/// Writes memories as binary COPY rows, in <see cref="MemoryColumns.List"/> order. One writer per COPY: it copies each
/// row's metadata (its UTF-8 JSON as held, never turned into a string) and encodes each embedding into reused buffers
/// (the importer has copied the bytes when its write completes), so a batch does not allocate per row.
/// </summary>
internal sealed class MemoryRowWriter
{
    private static readonly byte[] EmptyObject = "{}"u8.ToArray();

    private byte[] _metadata = [];
    private byte[] _embedding = [];

    public async ValueTask WriteAsync(NpgsqlBinaryImporter importer, MemoryEntry entry, CancellationToken cancellationToken)
    {
        await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(entry.AgentId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(entry.Id, NpgsqlDbType.Uuid, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync((short)entry.Type, NpgsqlDbType.Smallint, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(entry.Content, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(Metadata(entry.Metadata), NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync((short)entry.Importance, NpgsqlDbType.Smallint, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(entry.Valence, NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(entry.Tags as string[] ?? [.. entry.Tags], NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(entry.CreatedAt.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(entry.LastAccessedAt.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(entry.UpdatedAt.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(entry.AccessCount, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(entry.Utility, NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(entry.SourceIds as Guid[] ?? [.. entry.SourceIds], NpgsqlDbType.Array | NpgsqlDbType.Uuid, cancellationToken).ConfigureAwait(false);
        if (entry.Embedding is { } embedding)
        {
            var length = embedding.Length * sizeof(float);
            EmbeddingBytes.Encode(embedding.Span, ReusedBuffer.Room(ref _embedding, length));
            await importer.WriteAsync(new ReadOnlyMemory<byte>(_embedding, 0, length), NpgsqlDbType.Bytea, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await importer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
        }

        if (entry.EmbeddingModel is { } model)
        {
            await importer.WriteAsync(model, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await importer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
        }

        if (entry.ExpiresAt is { } expires)
        {
            await importer.WriteAsync(expires.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await importer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
        }

        await importer.WriteAsync(entry.Version, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The metadata's UTF-8 JSON (jsonb accepts it as bytes), copied into the reused buffer.</summary>
    private ReadOnlyMemory<byte> Metadata(JsonElement metadata)
    {
        if (metadata.ValueKind == JsonValueKind.Undefined)
        {
            return EmptyObject;
        }

        var json = JsonMarshal.GetRawUtf8Value(metadata);
        json.CopyTo(ReusedBuffer.Room(ref _metadata, json.Length));
        return new ReadOnlyMemory<byte>(_metadata, 0, json.Length);
    }
}
