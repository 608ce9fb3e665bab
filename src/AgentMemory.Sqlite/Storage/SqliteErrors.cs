using Microsoft.Data.Sqlite;

namespace AgentMemory.Sqlite.Storage;

/// <summary>
/// Tells refused data from a file that is busy or unwritable. A constraint, a value too big or of the wrong type means
/// SQLite will never take this data: the write-behind writer isolates the row. Everything else — the file locked by
/// another process, read-only, full, unreachable, even corrupt — is kept and retried: what was acknowledged stays
/// queued until the file can take it, and the error says what to fix.
/// </summary>
internal static class SqliteErrors
{
    private const int Readonly = 8;
    private const int Corrupt = 11;
    private const int Full = 13;
    private const int CantOpen = 14;
    private const int TooBig = 18;
    private const int Constraint = 19;
    private const int Mismatch = 20;
    private const int NotADatabase = 26;
    private const int Busy = 5;
    private const int Locked = 6;

    public static bool IsRefusal(SqliteException exception) => exception.SqliteErrorCode is TooBig or Constraint or Mismatch;

    public static MemoryStoreException Wrap(string operation, string path, Exception exception)
    {
        if (exception is SqliteException sqlite)
        {
            var advice = sqlite.SqliteErrorCode switch
            {
                Busy or Locked => " Another connection or process holds the file's lock; the write is retried.",
                Readonly => " The file (or its folder, where SQLite keeps its -wal and -shm files) is read-only for this process.",
                Full => " The disk is full or the file reached SqliteMemoryStoreOptions.MaxFileSize; the write is retried.",
                CantOpen => " The file cannot be opened: check that its folder exists and is writable.",
                Corrupt or NotADatabase => " The file is not an intact SQLite database: restore it from a backup or point the store at another file.",
                _ => string.Empty,
            };
            return new MemoryStoreException(
                $"SQLite could not {operation} in '{path}': {sqlite.Message}{advice}", isTransient: !IsRefusal(sqlite), exception);
        }

        return new MemoryStoreException($"SQLite could not {operation} in '{path}': {exception.Message}", isTransient: exception is not InvalidDataException, exception);
    }
}
