using Microsoft.Extensions.Options;

namespace AgentMemory;

/// <summary>Validates <see cref="AgentMemoryOptions"/> at start (source-generated from the data annotations).</summary>
[OptionsValidator]
internal sealed partial class AgentMemoryOptionsValidator : IValidateOptions<AgentMemoryOptions>
{
}
