namespace AgentMemory.Onnx;

/// <summary>Options of the ONNX embedding generator, set through <c>UseOnnxEmbeddings(o => …)</c>.</summary>
public sealed class OnnxEmbeddingOptions
{
    /// <summary>The model. Default <see cref="OnnxEmbeddingModel.ArcticXs"/>.</summary>
    public OnnxEmbeddingModel Model { get; set; } = OnnxEmbeddingModel.ArcticXs;

    /// <summary>
    /// The most tokens of one text the model reads, its two special tokens included; the rest of a longer text is left
    /// out of its embedding (its words still count for recall). 8 to 512. Default 256.
    /// </summary>
    public int MaxTokens { get; set; } = 256;

    /// <summary>
    /// Texts run through the model together (sorted by length, so little is padded); a call of more texts runs its batches
    /// side by side, up to <see cref="MaxConcurrentInferences"/>. 1 to 256. Default 16 (measured: 128 texts/s per core
    /// on LoCoMo turns, against 96 with 32, whose batches left one core idle while the other finished).
    /// </summary>
    public int BatchSize { get; set; } = 16;

    /// <summary>Threads one inference uses. 1 to 64. Default 1: the background embedder and recall queries run side by side.</summary>
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>
    /// Inferences run at once (one ONNX Runtime session serves them all; its weights are loaded once). Calls beyond it
    /// wait their turn. 1 to 64. Default 2.
    /// </summary>
    public int MaxConcurrentInferences { get; set; } = 2;
}
