using System.Text;

namespace Provisioning.Observability.Tests;

/// <summary>A span as the collector's filter processor sees it, reduced to what our conditions read.</summary>
internal sealed record SampleSpan(string Name, IReadOnlyDictionary<string, string> Attributes, string StatusCode = "STATUS_CODE_UNSET");

/// <summary>
/// Evaluates the small subset of OTTL (span context) our filter conditions use: <c>name</c>,
/// <c>attributes["key"]</c>, <c>status.code</c>, string literals, STATUS_CODE_* and <c>nil</c>, compared
/// with <c>==</c>/<c>!=</c> and combined with <c>and</c>, <c>or</c>, <c>not</c> and parentheses.
/// Anything else throws, so a condition rewritten beyond this subset fails its test instead of
/// being checked wrongly.
/// </summary>
internal sealed class OttlSpanCondition
{
    private readonly List<string> _tokens;
    private int _next;

    private OttlSpanCondition(string condition) => _tokens = Tokenize(condition);

    public static bool Matches(string condition, SampleSpan span)
    {
        var parser = new OttlSpanCondition(condition);
        var result = parser.Or(span);
        if (parser._next != parser._tokens.Count)
            throw new NotSupportedException($"Unexpected '{parser._tokens[parser._next]}' in: {condition}");
        return result;
    }

    private bool Or(SampleSpan span)
    {
        var value = And(span);
        while (Accept("or")) value |= And(span);
        return value;
    }

    private bool And(SampleSpan span)
    {
        var value = Unary(span);
        while (Accept("and")) value &= Unary(span);
        return value;
    }

    private bool Unary(SampleSpan span)
    {
        if (Accept("not")) return !Unary(span);
        if (Accept("("))
        {
            var inner = Or(span);
            Expect(")");
            return inner;
        }
        var left = Operand(span);
        var op = Take();
        var right = Operand(span);
        return op switch
        {
            "==" => left == right,
            "!=" => left != right,
            _ => throw new NotSupportedException($"Unsupported operator '{op}'"),
        };
    }

    private string? Operand(SampleSpan span)
    {
        var token = Take();
        if (token.StartsWith('"')) return token[1..^1];
        switch (token)
        {
            case "nil": return null;
            case "name": return span.Name;
            case "status.code": return span.StatusCode;
            case "attributes":
                Expect("[");
                var key = Take();
                if (!key.StartsWith('"')) throw new NotSupportedException($"Attribute key must be a string: {key}");
                Expect("]");
                return span.Attributes.TryGetValue(key[1..^1], out var value) ? value : null;
        }
        if (token.StartsWith("STATUS_CODE_", StringComparison.Ordinal)) return token;
        throw new NotSupportedException($"Unsupported OTTL operand '{token}'");
    }

    private bool Accept(string token)
    {
        if (_next < _tokens.Count && _tokens[_next] == token)
        {
            _next++;
            return true;
        }
        return false;
    }

    private void Expect(string token)
    {
        if (!Accept(token)) throw new NotSupportedException($"Expected '{token}'");
    }

    private string Take() =>
        _next < _tokens.Count ? _tokens[_next++] : throw new NotSupportedException("Condition ends early");

    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '"')
            {
                var literal = new StringBuilder("\"");
                i++;
                while (i < text.Length && text[i] != '"')
                {
                    if (text[i] == '\\' && i + 1 < text.Length) i++;
                    literal.Append(text[i++]);
                }
                if (i == text.Length) throw new NotSupportedException("Unterminated string literal");
                i++;
                tokens.Add(literal.Append('"').ToString());
                continue;
            }
            if (c is '[' or ']' or '(' or ')') { tokens.Add(c.ToString()); i++; continue; }
            if (c is '=' or '!' && i + 1 < text.Length && text[i + 1] == '=') { tokens.Add(text.Substring(i, 2)); i += 2; continue; }
            if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '.')) i++;
                tokens.Add(text[start..i]);
                continue;
            }
            throw new NotSupportedException($"Unsupported OTTL character '{c}' in: {text}");
        }
        return tokens;
    }
}
