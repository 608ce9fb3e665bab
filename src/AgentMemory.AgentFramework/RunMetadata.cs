using System.Text.Json.Serialization;

namespace AgentMemory.AgentFramework;

/// <summary>The metadata of a remembered agent run.</summary>
internal sealed record RunMetadata([property: JsonPropertyName("success")] bool Success)
{
    [JsonPropertyName("source")]
    public string Source => "agent-framework";
}

/// <summary>Source-generated serialization of <see cref="RunMetadata"/> (trimming and AOT safe).</summary>
[JsonSerializable(typeof(RunMetadata))]
internal sealed partial class RunMetadataContext : JsonSerializerContext;
