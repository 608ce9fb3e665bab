using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace AgentMemory.PostgreSql.Storage;

/// <summary>
/// Rows in PostgreSQL's binary COPY format, built in a buffer rented from the shared pool, for a raw binary COPY: the
/// signature and header, then per row its field count and each field as a big-endian length and the value in its
/// type's binary send format, then the trailer. Values are encoded as Npgsql encodes them (UTF-8 text that refuses
/// invalid UTF-16, RFC 4122 byte order for uuids, microseconds since 2000 for timestamps with the extreme
/// <see cref="DateTime"/> values as infinities unless Npgsql's switch turns that off, jsonb version 1), so a row reads
/// back the same through Npgsql whichever way it was written.
/// </summary>
internal sealed class BinaryCopyBuffer : IDisposable
{
    private const long PostgresEpochTicks = 630_822_816_000_000_000L;
    private const int TextOid = 25;
    private const int UuidOid = 2950;
    private const byte JsonbVersion = 1;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly bool InfinityConversions =
        !(AppContext.TryGetSwitch("Npgsql.DisableDateTimeInfinityConversions", out var disabled) && disabled);

    private byte[] _buffer;
    private int _length;

    public BinaryCopyBuffer(int capacity) => _buffer = ArrayPool<byte>.Shared.Rent(capacity);

    /// <summary>The bytes written since the last <see cref="Clear"/>.</summary>
    public int Length => _length;

    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _length);

    private static ReadOnlySpan<byte> Signature => [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0];

    public void Clear() => _length = 0;

    /// <summary>The signature, no flags and no header extension: once, before the first row.</summary>
    public void Header()
    {
        Signature.CopyTo(Take(Signature.Length));
        Int32(0);
        Int32(0);
    }

    /// <summary>Ends the data: once, after the last row.</summary>
    public void Trailer() => Int16(-1);

    public void StartRow(short fields) => Int16(fields);

    public void Null() => Int32(-1);

    public void Smallint(short value)
    {
        Int32(sizeof(short));
        Int16(value);
    }

    public void Boolean(bool value)
    {
        Int32(1);
        Take(1)[0] = value ? (byte)1 : (byte)0;
    }

    public void Integer(int value)
    {
        Int32(sizeof(int));
        Int32(value);
    }

    public void Bigint(long value)
    {
        Int32(sizeof(long));
        Int64(value);
    }

    public void Double(double value)
    {
        Int32(sizeof(double));
        Int64(BitConverter.DoubleToInt64Bits(value));
    }

    public void Uuid(Guid value)
    {
        Int32(16);
        UuidValue(value);
    }

    public void TimestampTz(DateTimeOffset value)
    {
        Int32(sizeof(long));
        var ticks = value.UtcTicks;
        Int64(InfinityConversions && ticks == DateTime.MaxValue.Ticks ? long.MaxValue
            : InfinityConversions && ticks == DateTime.MinValue.Ticks ? long.MinValue
            : (ticks - PostgresEpochTicks) / TimeSpan.TicksPerMicrosecond);
    }

    /// <summary>A text field; <see langword="null"/> is written as NULL, for the database to judge (as Npgsql does).</summary>
    public void Text(string? value)
    {
        if (value is null)
        {
            Null();
            return;
        }

        var start = _length;
        Int32(0);
        var free = Free(Utf8.GetMaxByteCount(value.Length));
        var written = Utf8.GetBytes(value, free);
        _length += written;
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(start), written);
    }

    public void Jsonb(ReadOnlySpan<byte> utf8Json)
    {
        Int32(1 + utf8Json.Length);
        Take(1)[0] = JsonbVersion;
        utf8Json.CopyTo(Take(utf8Json.Length));
    }

    /// <summary>A bytea field of <paramref name="length"/> bytes, for the caller to fill.</summary>
    public Span<byte> Bytea(int length)
    {
        Int32(length);
        return Take(length);
    }

    /// <summary>A text[] field; a <see langword="null"/> list is written as NULL, for the database to judge.</summary>
    public void TextArray(IReadOnlyList<string>? values) => Array(values, TextOid, static (rows, value) => rows.Text(value));

    /// <summary>A uuid[] field; a <see langword="null"/> list is written as NULL, for the database to judge.</summary>
    public void UuidArray(IReadOnlyList<Guid>? values) => Array(values, UuidOid, static (rows, value) => rows.Uuid(value));

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _length = 0;
    }

    /// <summary>
    /// A one-dimensional array field: dimensions (none when empty: PostgreSQL's empty array), no nulls, the element
    /// type, then size and lower bound 1, then each element as a field.
    /// </summary>
    private void Array<T>(IReadOnlyList<T>? values, int elementOid, Action<BinaryCopyBuffer, T> writeElement)
    {
        if (values is null)
        {
            Null();
            return;
        }

        var start = _length;
        Int32(0);
        Int32(values.Count == 0 ? 0 : 1);
        Int32(0);
        Int32(elementOid);
        if (values.Count > 0)
        {
            Int32(values.Count);
            Int32(1);
        }

        for (var i = 0; i < values.Count; i++)
        {
            writeElement(this, values[i]);
        }

        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(start), _length - start - sizeof(int));
    }

    // Sixteen bytes always fit the sixteen taken.
    private void UuidValue(Guid value) => _ = value.TryWriteBytes(Take(16), bigEndian: true, out _);

    private void Int16(short value) => BinaryPrimitives.WriteInt16BigEndian(Take(sizeof(short)), value);

    private void Int32(int value) => BinaryPrimitives.WriteInt32BigEndian(Take(sizeof(int)), value);

    private void Int64(long value) => BinaryPrimitives.WriteInt64BigEndian(Take(sizeof(long)), value);

    /// <summary>The next <paramref name="length"/> bytes, counted as written.</summary>
    private Span<byte> Take(int length)
    {
        var span = Free(length)[..length];
        _length += length;
        return span;
    }

    /// <summary>At least <paramref name="length"/> free bytes after what is written, not yet counted.</summary>
    private Span<byte> Free(int length)
    {
        if (_buffer.Length - _length < length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_length + length, _buffer.Length * 2));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        return _buffer.AsSpan(_length);
    }
}
