using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace Provisioning.Benchmarks.Storm;

/// <summary>
/// The live managed heap of a process by type, as dotnet-gcdump collects it: an EventPipe session with the heap-dump
/// keywords induces a full GC and the runtime walks the heap into GCBulkNode (objects) and GCBulkType (names) events.
/// Only sizes per type are kept (no graph): enough to see which objects a connected agent costs.
/// </summary>
public static class HeapByType
{
    private const long Keywords = (long)(ClrTraceEventParser.Keywords.GC | ClrTraceEventParser.Keywords.GCHeapCollect
        | ClrTraceEventParser.Keywords.GCHeapDump | ClrTraceEventParser.Keywords.GCHeapAndTypeNames | ClrTraceEventParser.Keywords.Type);

    public sealed record TypeSize(string Type, long Count, long Bytes);

    public static async Task<List<TypeSize>> CollectAsync(int pid, int top, TimeSpan walk)
    {
        var names = new Dictionary<ulong, string>();
        var sizes = new Dictionary<ulong, (long Count, long Bytes)>();
        var client = new DiagnosticsClient(pid);
        using var session = client.StartEventPipeSession([new EventPipeProvider(ClrTraceEventParser.ProviderName, EventLevel.Verbose, Keywords)], requestRundown: false);
        var source = new EventPipeEventSource(session.EventStream);
        source.Clr.TypeBulkType += data =>
        {
            for (var i = 0; i < data.Count; i++) { var t = data.Values(i); names[t.TypeID] = t.TypeName; }
        };
        source.Clr.GCBulkNode += data =>
        {
            for (var i = 0; i < data.Count; i++)
            {
                var node = data.Values(i);
                var (count, bytes) = sizes.GetValueOrDefault(node.TypeID);
                sizes[node.TypeID] = (count + 1, bytes + (long)node.Size);
            }
        };
        var processing = Task.Run(source.Process);
        await Task.Delay(walk);
        await session.StopAsync(CancellationToken.None);
        await processing;
        // Instantiations of one generic type may share a name (Bucket[]): one row per name.
        return sizes.GroupBy(s => names.GetValueOrDefault(s.Key, $"type 0x{s.Key:x}"), StringComparer.Ordinal)
            .Select(g => new TypeSize(g.Key, g.Sum(s => s.Value.Count), g.Sum(s => s.Value.Bytes)))
            .OrderByDescending(t => t.Bytes).Take(top).ToList();
    }
}
