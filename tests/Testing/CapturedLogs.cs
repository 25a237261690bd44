using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Provisioning.Testing;

/// <summary>
/// Every log line of a host, formatted with its structured values, for tests that search what was logged: Microsoft's
/// FakeLogger collecting (<see cref="Collector"/> holds the records themselves), read as lines.
/// </summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly FakeLoggerProvider _provider;

    public CapturedLogs()
    {
        Collector = new FakeLogCollector(Microsoft.Extensions.Options.Options.Create(new FakeLogCollectorOptions()));
        _provider = new FakeLoggerProvider(Collector);
    }

    public FakeLogCollector Collector { get; }

    /// <summary>"Level Category: message key=value ... exception", one per record so far.</summary>
    public IReadOnlyList<string> Lines => Collector.GetSnapshot().Select(Line).ToList();

    public void Clear() => Collector.Clear();

    public ILogger CreateLogger(string categoryName) => _provider.CreateLogger(categoryName);

    public void Dispose() => _provider.Dispose();

    private static string Line(FakeLogRecord record)
    {
        var values = record.StructuredState is { } pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
        return $"{record.Level} {record.Category}: {record.Message} {values} {record.Exception}";
    }
}
