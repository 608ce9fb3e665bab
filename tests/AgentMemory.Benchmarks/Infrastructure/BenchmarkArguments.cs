using System.Globalization;

namespace AgentMemory.Benchmarks.Infrastructure;

/// <summary>The command line: a benchmark name, then --out FILE, --data PATH, --seconds N, --hosts N, --store postgres|sqlite, --embedder builtin|onnx|onnx-minilm.</summary>
internal sealed record BenchmarkArguments(string Name, string? Out, string? Data, int? Seconds, int? Hosts = null, string Store = "postgres", string Embedder = "builtin")
{
    public static BenchmarkArguments Parse(string[] args)
    {
        if (args.Length == 0)
        {
            throw new ArgumentException("Name a benchmark: persist, load, remember-latency, recall-latency, locomo, learning, soak, coherence.");
        }

        string? output = null, data = null;
        var store = "postgres";
        var embedder = "builtin";
        int? seconds = null, hosts = null;
        for (var i = 1; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--out": output = value; break;
                case "--data": data = value; break;
                case "--seconds": seconds = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--hosts": hosts = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--store" when value is "postgres" or "sqlite": store = value; break;
                case "--store": throw new ArgumentException($"--store takes postgres or sqlite, not {value}.");
                case "--embedder" when value is "builtin" or "onnx" or "onnx-minilm": embedder = value; break;
                case "--embedder": throw new ArgumentException($"--embedder takes builtin, onnx or onnx-minilm, not {value}.");
                default: throw new ArgumentException($"Unknown option {args[i]}.");
            }

            i++;
        }

        return new BenchmarkArguments(args[0], output, data, seconds, hosts, store, embedder);
    }
}
