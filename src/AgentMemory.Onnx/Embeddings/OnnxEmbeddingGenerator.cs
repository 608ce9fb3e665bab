using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;

namespace AgentMemory.Onnx;

/// <summary>
/// Sentence embeddings computed on this machine's CPU by a BERT-style ONNX model (snowflake-arctic-embed-xs by
/// default): nothing leaves the process. Texts are tokenized with the model's uncased WordPiece vocabulary, cut at
/// <see cref="OnnxEmbeddingOptions.MaxTokens"/>, run in batches sorted by length, pooled and scaled to unit length. A
/// recall query (<see cref="EmbeddingPurpose.IsQuery"/>) gets the model's query prefix; a memory does not. The model
/// loads in the background from construction (half a second to a second); the first calls wait for it. Safe for
/// concurrent use.
/// </summary>
public sealed class OnnxEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The provider name reported in metadata; part of the model id stored with each embedding.</summary>
    public const string ProviderName = "onnx";

    private readonly OnnxEmbeddingOptions _options;
    private readonly Task<LoadedModel> _loaded;
    private readonly SemaphoreSlim _inferences;
    private readonly EmbeddingGeneratorMetadata _metadata;
    private int _disposed;

    /// <summary>Creates the generator and starts loading its model.</summary>
    /// <param name="options">The model and how to run it; the defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range.</exception>
    public OnnxEmbeddingGenerator(OnnxEmbeddingOptions? options = null)
    {
        _options = options ?? new OnnxEmbeddingOptions();
        Validate(_options);
        _inferences = new SemaphoreSlim(_options.MaxConcurrentInferences, _options.MaxConcurrentInferences);
        _metadata = new EmbeddingGeneratorMetadata(ProviderName, defaultModelId: _options.Model.Id);
        var model = _options.Model;
        var threads = _options.IntraOpThreads;
        _loaded = Task.Run(() => LoadedModel.Load(model, threads));
    }

    /// <summary>Completes when the model is loaded (the first calls wait for it anyway); fails when it cannot be.</summary>
    /// <returns>A task that completes when the model is ready.</returns>
    public Task WhenLoaded => _loaded;

    /// <inheritdoc />
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var texts = values.ToArray();
        for (var i = 0; i < texts.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(texts[i]))
            {
                throw new ArgumentException($"Text {i} of {texts.Length} is empty: there is nothing to embed.", nameof(values));
            }
        }

        var model = await _loaded.WaitAsync(cancellationToken).ConfigureAwait(false);
        var prefix = EmbeddingPurpose.IsQuery(options) ? _options.Model.QueryPrefix : string.Empty;
        var tokens = new int[texts.Length][];
        for (var i = 0; i < texts.Length; i++)
        {
            tokens[i] = model.Tokenize(prefix + texts[i], _options.MaxTokens);
        }

        // Batches of similar lengths (a batch is padded to its longest text), run side by side up to the concurrency
        // limit: one call of many texts uses as many cores as it is allowed.
        var order = Enumerable.Range(0, texts.Length).OrderBy(i => tokens[i].Length).ToArray();
        var vectors = new float[texts.Length][];
        var batches = new List<Task>();
        for (var start = 0; start < order.Length; start += _options.BatchSize)
        {
            var batch = order.AsMemory(start, Math.Min(_options.BatchSize, order.Length - start));
            batches.Add(RunBatchAsync(model, batch, tokens, vectors, cancellationToken));
        }

        await Task.WhenAll(batches).ConfigureAwait(false);

        var result = new GeneratedEmbeddings<Embedding<float>>(vectors.Length);
        var modelId = $"{_options.Model.Id}/{model.Dimensions}";
        foreach (var vector in vectors)
        {
            result.Add(new Embedding<float>(vector) { ModelId = modelId });
        }

        return result;
    }

    private async Task RunBatchAsync(LoadedModel model, ReadOnlyMemory<int> batch, int[][] tokens, float[][] vectors, CancellationToken cancellationToken)
    {
        await _inferences.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await Task.Run(() => model.Embed(batch.Span, tokens, vectors), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _inferences.Release();
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <summary>Releases the model's session.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_loaded.IsCompletedSuccessfully)
        {
            _loaded.Result.Dispose();
        }
        else
        {
            _ = _loaded.ContinueWith(static t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        }

        _inferences.Dispose();
    }

    /// <summary>Refuses options out of their ranges, naming the option.</summary>
    internal static void Validate(OnnxEmbeddingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options.Model, "options.Model");
        Range(options.MaxTokens, 8, 512, "options.MaxTokens");
        Range(options.BatchSize, 1, 256, "options.BatchSize");
        Range(options.IntraOpThreads, 1, 64, "options.IntraOpThreads");
        Range(options.MaxConcurrentInferences, 1, 64, "options.MaxConcurrentInferences");

        static void Range(int value, int min, int max, string name)
        {
            if (value < min || value > max)
            {
                throw new ArgumentOutOfRangeException(name, value, $"{name} must be between {min} and {max}.");
            }
        }
    }

    /// <summary>A loaded model: its session, tokenizer, and what its graph takes and gives.</summary>
    private sealed class LoadedModel : IDisposable
    {
        private readonly InferenceSession _session;
        private readonly BertTokenizer _tokenizer;
        private readonly OnnxPooling _pooling;
        private readonly string[] _inputs;
        private readonly string[] _outputs;

        private LoadedModel(InferenceSession session, BertTokenizer tokenizer, OnnxPooling pooling)
        {
            _session = session;
            _tokenizer = tokenizer;
            _pooling = pooling;
            _inputs = session.InputMetadata.ContainsKey("token_type_ids") ? ["input_ids", "attention_mask", "token_type_ids"] : ["input_ids", "attention_mask"];
            _outputs = [session.OutputNames[0]];
            Dimensions = checked((int)session.OutputMetadata[_outputs[0]].Dimensions[^1]);
        }

        public int Dimensions { get; }

        public static LoadedModel Load(OnnxEmbeddingModel model, int threads)
        {
            BertTokenizer tokenizer;
            using (var vocabulary = model.OpenVocabulary())
            {
                tokenizer = BertTokenizer.Create(vocabulary, new BertOptions { LowerCaseBeforeTokenization = true });
            }

            var options = new SessionOptions
            {
                IntraOpNumThreads = threads,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            };
            try
            {
                return new LoadedModel(new InferenceSession(model.ReadModel(), options), tokenizer, model.Pooling);
            }
            finally
            {
                options.Dispose();
            }
        }

        /// <summary>The text's token ids, [CLS] and [SEP] included, at most <paramref name="maxTokens"/>.</summary>
        public int[] Tokenize(string text, int maxTokens) =>
            [.. _tokenizer.EncodeToIds(text, maxTokens, addSpecialTokens: true, out _, out _, considerPreTokenization: true, considerNormalization: true)];

        /// <summary>Runs the texts <paramref name="batch"/> names (indexes into <paramref name="tokens"/>) and puts each one's unit vector into <paramref name="vectors"/>.</summary>
        public void Embed(ReadOnlySpan<int> batch, int[][] tokens, float[][] vectors)
        {
            var rows = batch.Length;
            var width = 0;
            foreach (var i in batch)
            {
                width = Math.Max(width, tokens[i].Length);
            }

            var ids = new long[rows * width];
            var mask = new long[rows * width];
            for (var r = 0; r < rows; r++)
            {
                var row = tokens[batch[r]];
                for (var t = 0; t < row.Length; t++)
                {
                    ids[(r * width) + t] = row[t];
                    mask[(r * width) + t] = 1;
                }
            }

            long[] shape = [rows, width];
            using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
            using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
            using var typesValue = OrtValue.CreateTensorValueFromMemory(new long[rows * width], shape);
            OrtValue[] inputs = _inputs.Length == 3 ? [idsValue, maskValue, typesValue] : [idsValue, maskValue];
            using var runOptions = new RunOptions();
            using var outputs = _session.Run(runOptions, _inputs, inputs, _outputs);
            var hidden = outputs[0].GetTensorDataAsSpan<float>();
            var dimensions = Dimensions;
            for (var r = 0; r < rows; r++)
            {
                var vector = new float[dimensions];
                var length = tokens[batch[r]].Length;
                if (_pooling == OnnxPooling.Cls)
                {
                    hidden.Slice(r * width * dimensions, dimensions).CopyTo(vector);
                }
                else
                {
                    for (var t = 0; t < length; t++)
                    {
                        TensorPrimitives.Add(vector, hidden.Slice(((r * width) + t) * dimensions, dimensions), vector);
                    }
                }

                var norm = TensorPrimitives.Norm<float>(vector);
                if (norm > 0)
                {
                    TensorPrimitives.Divide(vector, norm, vector);
                }

                vectors[batch[r]] = vector;
            }
        }

        public void Dispose() => _session.Dispose();
    }
}
