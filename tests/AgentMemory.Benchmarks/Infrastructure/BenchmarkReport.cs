using System.Globalization;
using System.Text.Json;

namespace AgentMemory.Benchmarks.Infrastructure;

/// <summary>Named figures of one benchmark run: printed as a table and written as a flat JSON object with --out.</summary>
internal sealed class BenchmarkReport(string name)
{
    private readonly List<(string Key, double Value, string Note)> _figures = [];

    public string Name { get; } = name;

    public void Add(string key, double value, string note = "") => _figures.Add((key, value, note));

    public void Print()
    {
        Console.WriteLine();
        Console.WriteLine($"== {Name} ==");
        var width = _figures.Count == 0 ? 10 : _figures.Max(f => f.Key.Length);
        foreach (var (key, value, note) in _figures)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {key.PadRight(width)}  {value,14:0.####}  {note}"));
        }
    }

    public void Write(string? path)
    {
        if (path is null)
        {
            return;
        }

        var json = new Dictionary<string, double>();
        foreach (var (key, value, _) in _figures)
        {
            json[key] = Math.Round(value, 6);
        }

        File.WriteAllText(path, JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"Wrote {json.Count} figures to {path}");
    }
}
