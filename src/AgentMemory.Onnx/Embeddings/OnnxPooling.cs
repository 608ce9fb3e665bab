namespace AgentMemory.Onnx;

/// <summary>How a sentence vector is made from a BERT-style model's token vectors (its <c>last_hidden_state</c>).</summary>
public enum OnnxPooling
{
    /// <summary>The mean of the tokens' vectors, padding left out (sentence-transformers' MiniLM, MPNet).</summary>
    Mean,

    /// <summary>The first token's ([CLS]) vector (snowflake-arctic-embed, BGE).</summary>
    Cls,
}
