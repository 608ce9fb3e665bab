using System.IO.Compression;
using System.Xml.Linq;
using AgentMemory.PostgreSql.Tests.TestSupport;
using AgentMemory.Tests.TestSupport;
using NUnit.Framework;

namespace AgentMemory.PostgreSql.Tests.Packaging;

/// <summary>
/// Proof that a host can install the packages: dotnet pack puts them in artifacts/packages (the folder nuget.config
/// names), and a consumer project outside the repository restores them from there as packages, builds, and runs on
/// PostgreSQL. The consumer's restore uses only that folder and the machine's global packages folder (which the
/// solution's own restore filled), so the test needs no network.
/// </summary>
[NonParallelizable]
public sealed class PackAndConsumeTests
{
    private static readonly string[] Packages = ["AgentMemory", "AgentMemory.PostgreSql", "AgentMemory.Sqlite", "AgentMemory.Onnx", "AgentMemory.AgentFramework", "AgentMemory.Testing"];

    [Test]
    public async Task PackagesPackWithTheirMetadataAndAConsumerInstallsAndRunsThem()
    {
        var version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Guid.NewGuid().ToString("N")[..6]}";
        var feed = Path.Combine(ChildProcess.RepositoryRoot, "artifacts", "packages");
        var consumer = Directory.CreateTempSubdirectory("agentmemory-consumer-");
        try
        {
            foreach (var package in Packages)
            {
                var pack = await ChildProcess.RunAsync("dotnet", ["pack", $"src/{package}/{package}.csproj", "-c", "Release", "-o", feed, $"-p:Version={version}", "--nologo", "--disable-build-servers"], environment: CleanBuildEnvironment());
                Assert.That(pack.ExitCode, Is.Zero, pack.ToString);
                AssertPackage(Path.Combine(feed, $"{package}.{version}.nupkg"), package);
                Assert.That(File.Exists(Path.Combine(feed, $"{package}.{version}.snupkg")), Is.True, "symbols package");
            }

            using (var onnx = ZipFile.OpenRead(Path.Combine(feed, $"AgentMemory.Onnx.{version}.nupkg")))
            {
                Assert.That(onnx.Entries.Select(e => e.FullName), Does.Contain("THIRD-PARTY-NOTICES.md"), "the models' licences are attributed in the package");
            }

            WriteConsumer(consumer.FullName, feed, version);
            var server = await PostgresServer.GetAsync();
            var run = await ChildProcess.RunAsync(
                "dotnet",
                ["run", "--project", consumer.FullName, "--nologo", "--disable-build-servers"],
                workingDirectory: consumer.FullName,
                environment: new Dictionary<string, string?>(CleanBuildEnvironment()) { ["CONSUMER_POSTGRES"] = server.ConnectionString, ["CONSUMER_SCHEMA"] = "consumer_" + Guid.NewGuid().ToString("N")[..8] },
                timeout: TimeSpan.FromMinutes(5));

            Assert.That(run.ExitCode, Is.Zero, run.ToString);
            Assert.That(run.Output, Does.Contain("recalled: The packages install and work"));
            Assert.That(run.Output, Does.Contain("contract suite: AgentMemory.Testing.MemoryStoreContract"), "the contract suite installs as a package");
            Assert.That(run.Output, Does.Contain("stored in PostgreSQL: 1"));
            Assert.That(run.Output, Does.Contain("loaded from SQLite after a restart: 1"));
            Assert.That(run.Output, Does.Contain("ONNX embedding: 384 dimensions, snowflake-arctic-embed-xs/384"));
            var assets = await File.ReadAllTextAsync(Path.Combine(consumer.FullName, "obj", "project.assets.json"));
            Assert.That(assets, Does.Contain($"\"AgentMemory.PostgreSql/{version}\"").And.Contain("\"type\": \"package\""), "referenced as a package, not a project");
        }
        finally
        {
            consumer.Delete(recursive: true);
            foreach (var file in Directory.EnumerateFiles(feed, $"*.{version}.*nupkg"))
            {
                File.Delete(file);
            }
        }
    }

    /// <summary>
    /// The test host inherits MSBuild's variables from the `dotnet test` that started it (node handshakes, SDK paths of
    /// that build); a build started from here must not try to join that build, so they are removed.
    /// </summary>
    private static Dictionary<string, string?> CleanBuildEnvironment()
    {
        var clean = new Dictionary<string, string?>(StringComparer.Ordinal) { ["MSBUILDDISABLENODEREUSE"] = "1" };
        foreach (var name in Environment.GetEnvironmentVariables().Keys.Cast<string>())
        {
            if (name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) && name != "MSBUILDDISABLENODEREUSE")
            {
                clean[name] = null;
            }
        }

        return clean;
    }

    private static void AssertPackage(string path, string id)
    {
        Assert.That(File.Exists(path), Is.True, path);
        using var zip = ZipFile.OpenRead(path);
        var entries = zip.Entries.Select(e => e.FullName).ToList();
        Assert.That(entries, Does.Contain("PACKAGE.md"), "each package has its own short readme");
        Assert.That(entries, Does.Contain($"lib/net10.0/{id}.dll"));
        Assert.That(entries, Does.Contain($"lib/net10.0/{id}.xml"), "XML docs ship with the package");

        using var nuspecStream = zip.GetEntry($"{id}.nuspec")!.Open();
        var metadata = XDocument.Load(nuspecStream).Root!.Elements().First(e => e.Name.LocalName == "metadata");
        string? Field(string name) => metadata.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
        Assert.That(Field("id"), Is.EqualTo(id));
        Assert.That(Field("description"), Is.Not.Null.And.Length.GreaterThan(40));
        Assert.That(Field("license"), Is.EqualTo("MIT"));
        Assert.That(Field("readme"), Is.EqualTo("PACKAGE.md"));
        Assert.That(Field("tags"), Does.Contain("agents").And.Contain("memory"));
        var repository = metadata.Elements().FirstOrDefault(e => e.Name.LocalName == "repository");
        Assert.That(repository?.Attribute("commit")?.Value, Is.Not.Null.And.Length.EqualTo(40), "SourceLink records the commit");
    }

    private static void WriteConsumer(string directory, string feed, string version)
    {
        var globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="agentmemory-local" value="{feed}" />
                <add key="machine-global-packages" value="{globalPackages}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(directory, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <!-- The ONNX models' packages ask for dependency versions that are not published; the next ones are taken. -->
                <NoWarn>$(NoWarn);NU1603</NoWarn>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="AgentMemory.PostgreSql" Version="{version}" />
                <PackageReference Include="AgentMemory.Sqlite" Version="{version}" />
                <PackageReference Include="AgentMemory.Onnx" Version="{version}" />
                <PackageReference Include="AgentMemory.AgentFramework" Version="{version}" />
                <PackageReference Include="AgentMemory.Testing" Version="{version}" />
                <PackageReference Include="Microsoft.Extensions.Hosting" Version="10.0.13" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(directory, "Program.cs"), """
            using AgentMemory;
            using Microsoft.Extensions.DependencyInjection;
            using Microsoft.Extensions.Hosting;
            using Npgsql;

            var connectionString = Environment.GetEnvironmentVariable("CONSUMER_POSTGRES")!;
            var schema = Environment.GetEnvironmentVariable("CONSUMER_SCHEMA")!;
            var builder = Host.CreateApplicationBuilder(args);
            builder.Services.AddAgentMemory().UsePostgres(connectionString, o => o.Schema = schema);
            using var host = builder.Build();
            await host.StartAsync();
            var memory = host.Services.GetRequiredService<IMemorySystem>();
            await memory.RememberAsync("consumer", "The packages install and work");
            var recalled = await memory.RecallAsync("consumer", new RecallRequest("do the packages work?"));
            Console.WriteLine($"recalled: {recalled[0].Memory.Content}");
            _ = memory.AsAIContextProvider("consumer");
            Console.WriteLine($"contract suite: {typeof(AgentMemory.Testing.MemoryStoreContract).FullName}");
            await host.StopAsync();

            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var count = new NpgsqlCommand($"SELECT count(*) FROM \"{schema}\".memories", connection);
            Console.WriteLine($"stored in PostgreSQL: {await count.ExecuteScalarAsync()}");
            await using var drop = new NpgsqlCommand($"DROP SCHEMA \"{schema}\" CASCADE", connection);
            await drop.ExecuteNonQueryAsync();

            var file = Path.Combine(AppContext.BaseDirectory, "consumer.db");
            for (var run = 0; run < 2; run++)
            {
                var sqlite = Host.CreateApplicationBuilder(args);
                sqlite.Services.AddAgentMemory().UseSqliteFile(file);
                using var sqliteHost = sqlite.Build();
                await sqliteHost.StartAsync();
                var sqliteMemory = sqliteHost.Services.GetRequiredService<IMemorySystem>();
                if (run == 0)
                {
                    await sqliteMemory.RememberAsync("consumer", "SQLite keeps this across a restart");
                }
                else
                {
                    Console.WriteLine($"loaded from SQLite after a restart: {(await sqliteMemory.ListAsync("consumer")).TotalCount}");
                }

                await sqliteHost.StopAsync();
            }

            using var onnx = new AgentMemory.Onnx.OnnxEmbeddingGenerator();
            var embedding = (await onnx.GenerateAsync(["The packages install and work"]))[0];
            Console.WriteLine($"ONNX embedding: {embedding.Vector.Length} dimensions, {embedding.ModelId}");
            """);
    }
}
