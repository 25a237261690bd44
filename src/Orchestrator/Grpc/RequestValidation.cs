using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace Provisioning.Orchestrator.Grpc;

/// <summary>Collects field violations and raises INVALID_ARGUMENT with the rich error model (BadRequest naming each field).</summary>
public sealed class RequestValidation
{
    private readonly BadRequest _badRequest = new();

    public RequestValidation Require(string field, string? value, int maxLength = 256)
    {
        if (string.IsNullOrWhiteSpace(value)) return Fail(field, "is required");
        return Limit(field, value, maxLength);
    }

    public RequestValidation Limit(string field, string? value, int maxLength)
    {
        if (value is not null && value.Length > maxLength) Fail(field, $"is longer than {maxLength} characters");
        else if (value is not null && value.Any(char.IsControl)) Fail(field, "contains control characters");
        return this;
    }

    /// <summary>
    /// A Timestamp as a point in time; null (and a violation) when it lies outside the range a Timestamp may hold
    /// (0001-01-01 to 9999-12-31, nanos 0..999,999,999), which would otherwise surface as an internal error.
    /// </summary>
    public DateTimeOffset? Time(string field, Timestamp? value)
    {
        if (value is null) return null;
        if (value.Seconds is < MinTimestampSeconds or > MaxTimestampSeconds || value.Nanos is < 0 or > 999_999_999)
        {
            Fail(field, "is not a valid timestamp (0001-01-01 to 9999-12-31)");
            return null;
        }
        return value.ToDateTimeOffset();
    }

    private const long MinTimestampSeconds = -62_135_596_800;
    private const long MaxTimestampSeconds = 253_402_300_799;

    public RequestValidation Check(bool valid, string field, string description)
    {
        if (!valid) Fail(field, description);
        return this;
    }

    /// <summary>
    /// Violations reported per call, and the length of a field name echoed back: the status travels in HTTP/2 headers
    /// (64 KiB on the client), and a field name can carry caller input (a map key), so both are bounded (found by fuzzing).
    /// </summary>
    private const int MaxViolations = 50;
    private const int MaxFieldLength = 160;
    private int _omitted;

    public RequestValidation Fail(string field, string description)
    {
        if (_badRequest.FieldViolations.Count >= MaxViolations)
        {
            _omitted++;
            return this;
        }
        if (field.Length > MaxFieldLength) field = field[..MaxFieldLength] + "…";
        _badRequest.FieldViolations.Add(new BadRequest.Types.FieldViolation { Field = field, Description = description });
        return this;
    }

    public bool HasViolations => _badRequest.FieldViolations.Count > 0;

    public void ThrowIfInvalid()
    {
        if (!HasViolations) return;
        if (_omitted > 0)
            _badRequest.FieldViolations.Add(new BadRequest.Types.FieldViolation { Field = "", Description = $"and {_omitted} more violation(s)" });
        var summary = string.Join("; ", _badRequest.FieldViolations.Take(5).Select(v => $"{v.Field} {v.Description}"));
        if (_badRequest.FieldViolations.Count > 5) summary += "; …";
        throw new Google.Rpc.Status
        {
            Code = (int)Code.InvalidArgument,
            Message = $"invalid request: {summary}",
            Details = { Any.Pack(_badRequest) },
        }.ToRpcException();
    }

    public static RpcException NotFound(string what) => new(new global::Grpc.Core.Status(StatusCode.NotFound, what));

    public static Guid ParseWorkflowId(string value, string field = "workflow_id")
    {
        if (Guid.TryParse(value, out var id)) return id;
        new RequestValidation().Fail(field, "is not a workflow id (UUID)").ThrowIfInvalid();
        return Guid.Empty;
    }
}
