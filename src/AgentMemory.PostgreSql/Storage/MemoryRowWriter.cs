using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace AgentMemory.PostgreSql.Storage;

/// <summary>Writes one memory as a binary COPY row, in <see cref="MemoryColumns.List"/> order.</summary>
internal static class MemoryRowWriter
{
    public static async ValueTask WriteAsync(NpgsqlBinaryImporter importer, MemoryEntry entry, CancellationToken cancellationToken)
    {
        await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(entry.AgentId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(entry.Id, NpgsqlDbType.Uuid, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync((short)entry.Type, NpgsqlDbType.Smallint, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(entry.Content, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
        var metadata = entry.Metadata.ValueKind == JsonValueKind.Undefined ? "{}" : entry.Metadata.GetRawText();
        await importer.WriteAsync(metadata, NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
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
            await importer.WriteAsync(EmbeddingBytes.Encode(embedding.Span), NpgsqlDbType.Bytea, cancellationToken).ConfigureAwait(false);
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
}
