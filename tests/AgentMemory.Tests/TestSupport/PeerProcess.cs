using System.Diagnostics;

namespace AgentMemory.Tests.TestSupport;

/// <summary>A host in a separate OS process (AgentMemory.CrashHost in peer mode), driven one command at a time.</summary>
public sealed class PeerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private PeerProcess(Process process) => _process = process;

    /// <summary>Starts a peer on the store that <paramref name="store"/> names (the crash host's store arguments, see its Program.cs).</summary>
    public static async Task<PeerProcess> StartAsync(params string[] store)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(ChildProcess.BuiltProgram("tests", "AgentMemory.CrashHost"));
        foreach (var argument in store)
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add("peer");
        var peer = new PeerProcess(Process.Start(start)!);
        var ready = await peer.ReadLineAsync();
        if (ready != "READY")
        {
            throw new InvalidOperationException($"The peer did not start: {ready} {await peer._process.StandardError.ReadToEndAsync()}");
        }

        return peer;
    }

    /// <summary>Sends a command and returns its answer.</summary>
    public async Task<string> SendAsync(string command)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
        return await ReadLineAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                await _process.StandardInput.WriteLineAsync("quit");
                await _process.StandardInput.FlushAsync();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }

    private async Task<string> ReadLineAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await _process.StandardOutput.ReadLineAsync(timeout.Token) ?? $"EXITED {await _process.StandardError.ReadToEndAsync()}";
    }
}
