using System.Diagnostics;
using AgentMemory.Sqlite.Tests.TestSupport;
using AgentMemory.Tests.TestSupport;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace AgentMemory.Sqlite.Tests.Reliability;

/// <summary>
/// The file faults a single-machine agent meets: the file locked by another process, a read-only file, a full disk
/// (a size limit), a corrupt file. Each gets an error that says which, and nothing acknowledged is lost.
/// </summary>
public sealed class SqliteFileFaultTests
{
    [Test]
    public async Task AFileLockedByAnotherProcessDelaysWritesAndLosesNone()
    {
        await using var file = SqliteTestFile.Create();
        await using var host = await SqliteHost.StartAsync(file, sqlite: o => o.BusyTimeout = TimeSpan.FromMilliseconds(200));

        await using (var holder = await LockHolder.StartAsync(file.Path))
        {
            for (var i = 0; i < 20; i++)
            {
                await host.Memory.RememberAsync("locked", $"remembered while another process held the file {i}");
            }

            var refused = Assert.ThrowsAsync<MemoryStoreException>(() => host.Store.ApplyAsync(new MemoryChangeSet { Inserts = [MemoryEntries.Simple("probe", "probe")] }));
            Assert.That(refused!.IsTransient, Is.True);
            Assert.That(refused.Message, Does.Contain(file.Path).And.Contain("Another connection or process holds the file's lock"));
            await Waiting.UntilAsync(() => host.Logs.GetSnapshot().Any(r => r.Message.Contains("holds the file's lock", StringComparison.Ordinal)), "the writer logged why it waits");
            Assert.That(await file.ScalarAsync<long>("SELECT count(*) FROM memories"), Is.Zero, "nothing was written while the lock was held");
        }

        await host.Memory.FlushAsync();
        Assert.That(await file.ScalarAsync<long>("SELECT count(*) FROM memories WHERE agent_id = 'locked'"), Is.EqualTo(20), "every memory was written once the lock was released");
    }

    [Test]
    public async Task AReadOnlyFileGetsAClearErrorAndStaysAsItWas()
    {
        await using var file = SqliteTestFile.Create();
        var writable = file.Store();
        await writable.InitializeAsync();
        await writable.ApplyAsync(new MemoryChangeSet { Inserts = [MemoryEntries.Simple("kept", "written before the file became read-only")] });

        // Opened read-only, as a file whose permissions forbid writing is (the tests run as root, which file
        // permissions do not stop).
        var readOnly = new SqliteConnectionStringBuilder(file.ConnectionString) { Mode = SqliteOpenMode.ReadOnly }.ToString();
        await using var host = MemoryTestHost.Create(services: s => s.AddAgentMemory().UseSqlite(readOnly));
        var refused = Assert.ThrowsAsync<MemoryStoreException>(() => host.Store.ApplyAsync(new MemoryChangeSet { Inserts = [MemoryEntries.Simple("kept", "refused")] }));
        Assert.That(refused!.IsTransient, Is.True, "kept and retried until the file is writable again");
        Assert.That(refused.Message, Does.Contain(file.Path).And.Contain("read-only"));
        Assert.That((await MemoryEntries.LoadAllAsync(host.Store, "kept")).Select(e => e.Content), Is.EqualTo(new[] { "written before the file became read-only" }), "reads still work");
    }

    [Test]
    public async Task AFullFileKeepsEveryAcknowledgedMemoryQueuedUntilThereIsRoom()
    {
        await using var file = SqliteTestFile.Create();
        var store = file.Store();
        await store.InitializeAsync();

        // Ballast fills the file up to its limit; dropping it later frees the room.
        await using (var connection = new SqliteConnection(file.ConnectionString))
        {
            await connection.OpenAsync();
            await using var fill = connection.CreateCommand();
            fill.CommandText = "CREATE TABLE ballast (b BLOB); INSERT INTO ballast VALUES (zeroblob(1000000));";
            await fill.ExecuteNonQueryAsync();
        }

        var limit = new FileInfo(file.Path).Length + new FileInfo(file.Path + "-wal").Length + 64 * 1024;
        await using var host = await SqliteHost.StartAsync(file, sqlite: o => o.MaxFileSize = limit);
        var content = new string('x', 4_000);
        for (var i = 0; i < 100; i++)
        {
            await host.Memory.RememberAsync("full", $"{i} {content}");
        }

        await Waiting.UntilAsync(
            () => host.Logs.GetSnapshot().Any(r => r.Message.Contains("SqliteMemoryStoreOptions.MaxFileSize", StringComparison.Ordinal)),
            "the writer logged that the file is full");
        Assert.That(await file.ScalarAsync<long>("SELECT count(*) FROM memories WHERE agent_id = 'full'"), Is.LessThan(100), "the file could not take them all");
        Assert.That((await host.Memory.ListAsync("full", new MemoryQuery { Limit = 200 })).TotalCount, Is.EqualTo(100), "the host keeps every memory meanwhile");

        await using (var connection = new SqliteConnection(file.ConnectionString))
        {
            await connection.OpenAsync();
            await using var free = connection.CreateCommand();
            free.CommandText = "DROP TABLE ballast";
            await free.ExecuteNonQueryAsync();
        }

        await host.Memory.FlushAsync();
        Assert.That(await file.ScalarAsync<long>("SELECT count(*) FROM memories WHERE agent_id = 'full'"), Is.EqualTo(100), "written once there was room");
        Assert.That(await file.ScalarAsync<string>("PRAGMA integrity_check"), Is.EqualTo("ok"));
    }

    [Test]
    public async Task ACorruptFileGetsAClearErrorAndIsNotOverwritten()
    {
        await using var file = SqliteTestFile.Create();
        var garbage = new byte[16 * 1024];
        new Random(7).NextBytes(garbage);
        await File.WriteAllBytesAsync(file.Path, garbage);

        var store = file.Store();
        var refused = Assert.ThrowsAsync<MemoryStoreException>(() => store.InitializeAsync());
        Assert.That(refused!.Message, Does.Contain(file.Path).And.Contain("not an intact SQLite database"));
        Assert.That(await File.ReadAllBytesAsync(file.Path), Is.EqualTo(garbage), "the file is left as it was, for recovery");
    }

    /// <summary>Another OS process (python3's sqlite3) holding the file's write lock until disposed.</summary>
    private sealed class LockHolder : IAsyncDisposable
    {
        private readonly Process _process;

        private LockHolder(Process process) => _process = process;

        public static async Task<LockHolder> StartAsync(string path)
        {
            var start = new ProcessStartInfo("python3") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(
                "import sqlite3, sys\n" +
                "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n" +
                "c.execute('BEGIN IMMEDIATE')\n" +
                "print('LOCKED', flush=True)\n" +
                "sys.stdin.readline()\n" +
                "c.execute('COMMIT')\n");
            start.ArgumentList.Add(path);
            var holder = new LockHolder(Process.Start(start)!);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var line = await holder._process.StandardOutput.ReadLineAsync(timeout.Token);
            if (line != "LOCKED")
            {
                Assert.Fail($"The lock holder did not start: {line} {await holder._process.StandardError.ReadToEndAsync()}");
            }

            return holder;
        }

        public async ValueTask DisposeAsync()
        {
            await _process.StandardInput.WriteLineAsync();
            await _process.StandardInput.FlushAsync();
            await _process.WaitForExitAsync();
            _process.Dispose();
        }
    }
}
