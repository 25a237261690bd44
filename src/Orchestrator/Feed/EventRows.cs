using System.Reflection;
using JasperFx.Events;
using Marten;
using Npgsql;
using Provisioning.Orchestrator.Workflows.Events;

namespace Provisioning.Orchestrator.Feed;

/// <summary>
/// A page of the global event log read with blocking Npgsql I/O straight from the columns Marten writes, for the live
/// feed's own thread (Marten 9 reads only asynchronously, and every async completion waits its turn in the thread pool
/// behind a storm's work). Only workflow events are deserialised; any other row (the admin audit) is kept as a
/// placeholder, so its number still counts when telling a gap from a committed event.
/// </summary>
internal sealed class EventRows(ISerializer serializer)
{
    private const string Page = """
        select seq_id, id, stream_id, version, data, type, timestamp, mt_dotnet_type from provisioning.mt_events
        where seq_id > $1 order by seq_id limit $2
        """;

    private static readonly MethodInfo WrapMethod = typeof(EventRows).GetMethod(nameof(Wrap), BindingFlags.NonPublic | BindingFlags.Static)!;

    // Only the live feed's thread reads pages, so a plain dictionary: .NET type name → its event factory (null: not a workflow event).
    private readonly Dictionary<string, (Type Type, Func<object, IEvent> Wrap)?> _types = new(StringComparer.Ordinal);

    public List<IEvent> Read(NpgsqlConnection connection, long after, int limit, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand(Page, connection) { Parameters = { new() { Value = after }, new() { Value = limit } } };
        using var reader = command.ExecuteReader();
        var page = new List<IEvent>();
        while (reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var sequence = reader.GetInt64(0);
            IEvent e;
            if (TypeOf(reader.IsDBNull(7) ? "" : reader.GetString(7)) is { } known)
            {
                e = known.Wrap(serializer.FromJson(known.Type, reader, 4));
                e.Id = reader.GetGuid(1);
                e.StreamId = reader.GetGuid(2);
                e.Version = reader.GetInt64(3);
                e.EventTypeName = reader.GetString(5);
                e.Timestamp = reader.GetFieldValue<DateTimeOffset>(6);
            }
            else e = new Event<NotAWorkflowEvent>(NotAWorkflowEvent.Instance);
            e.Sequence = sequence;
            page.Add(e);
        }
        return page;
    }

    private (Type Type, Func<object, IEvent> Wrap)? TypeOf(string dotNetTypeName)
    {
        if (_types.TryGetValue(dotNetTypeName, out var known)) return known;
        var type = dotNetTypeName.Length == 0 ? null : Type.GetType(dotNetTypeName, throwOnError: false);
        known = type is not null && typeof(IWorkflowEvent).IsAssignableFrom(type)
            ? (type, WrapMethod.MakeGenericMethod(type).CreateDelegate<Func<object, IEvent>>())
            : null;
        _types[dotNetTypeName] = known;
        return known;
    }

    private static IEvent Wrap<T>(object data) where T : notnull => new Event<T>((T)data);

    /// <summary>A row no follower can ask for (FeedFilter takes workflow events only): only its number matters.</summary>
    internal sealed class NotAWorkflowEvent
    {
        public static readonly NotAWorkflowEvent Instance = new();
    }
}
