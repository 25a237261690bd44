namespace Provisioning.Southbound.Cwmp.ConnectionRequests;

/// <summary>
/// How a Connection Request ended: accepted, or the last answer seen (an analyst reading the workflow's failure
/// needs "HTTP 401" or "connection refused", not only "unreachable").
/// </summary>
public sealed record ConnectionRequestResult(bool Accepted, int Attempts, string LastOutcome, string Target)
{
    public string Describe() => Attempts == 0
        ? $"Connection Request to {Target} not sent: {LastOutcome}"
        : $"Connection Request to {Target}: {Attempts} attempt(s), last {LastOutcome}";
}
