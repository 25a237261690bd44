namespace Provisioning.Orchestrator.ServicePlans;

/// <summary>
/// A data-model path as a model profile writes it: literal segments, "{i}" for any instance number (captured in order),
/// and a trailing "." for everything below an object. "A.{i}.B" matches "A.3.B"; "A.{i}." matches "A.3.B.C" with rest "B.C".
/// </summary>
public sealed class ParameterPathPattern
{
    public const string Instance = "{i}";
    private readonly string[] _segments;

    public ParameterPathPattern(string text)
    {
        Text = text;
        IsObject = text.EndsWith('.');
        _segments = (IsObject ? text[..^1] : text).Split('.');
    }

    public string Text { get; }
    public bool IsObject { get; }

    /// <summary>Whether the text is a pattern a profile may hold: TR-106 segments or "{i}", nothing empty.</summary>
    public static bool IsValid(string text)
    {
        if (text.Length is 0 or > 256) return false;
        var isObject = text.EndsWith('.');
        var concrete = string.Join('.', (isObject ? text[..^1] : text).Split('.').Select(s => s == Instance ? "1" : s));
        // An object pattern is checked as if a parameter followed it ("A.{i}." as "A.1.x").
        return Contracts.DataModel.ObjectPath.IsRelativeParameter(isObject ? concrete + ".x" : concrete);
    }

    /// <summary>Matches a concrete path; the instance numbers "{i}" stood for, and what lies below an object pattern.</summary>
    public bool TryMatch(string path, out List<string> instances, out string rest)
    {
        instances = [];
        rest = "";
        var parts = path.Split('.');
        if (IsObject ? parts.Length <= _segments.Length : parts.Length != _segments.Length) return false;
        for (var i = 0; i < _segments.Length; i++)
        {
            if (_segments[i] == Instance)
            {
                if (parts[i].Length == 0 || parts[i].AsSpan().ContainsAnyExcept("0123456789")) return false;
                instances.Add(parts[i]);
            }
            else if (!string.Equals(_segments[i], parts[i], StringComparison.Ordinal)) return false;
        }
        if (IsObject) rest = string.Join('.', parts[_segments.Length..]);
        return true;
    }

    /// <summary>This pattern with "{i}" replaced by <paramref name="instances"/> in order, and <paramref name="rest"/> appended.</summary>
    public string Fill(IReadOnlyList<string> instances, string rest)
    {
        var next = 0;
        var filled = string.Join('.', _segments.Select(s => s == Instance && next < instances.Count ? instances[next++] : s));
        return IsObject ? filled + "." + rest : filled;
    }
}
