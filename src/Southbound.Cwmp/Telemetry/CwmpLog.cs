using Microsoft.Extensions.Logging;

namespace Provisioning.Southbound.Cwmp.Telemetry;

/// <summary>
/// Source-generated log messages of the ACS. Never pass a password, key or Digest response here.
/// Per-inform and per-session lines are Debug: an inform storm would otherwise log thousands of lines a
/// second, and the cpe.inform span carries the same facts. Event ids 5000-5999 are the CWMP adapter's (the orchestrator
/// has 1000-4999, the USP adapter 6000-6999, ServiceDefaults 9000-9999), so they stay unique when all three share a process.
/// </summary>
internal static partial class CwmpLog
{
    [LoggerMessage(5001, LogLevel.Debug, "Inform from {SerialNumber} ({Oui}-{ProductClass}) events [{EventCodes}], session {SessionId}")]
    public static partial void InformReceived(ILogger logger, string serialNumber, string oui, string productClass, string eventCodes, string sessionId);

    [LoggerMessage(5002, LogLevel.Debug, "Session {SessionId} of {SerialNumber} ended: {Reason}")]
    public static partial void SessionEnded(ILogger logger, string sessionId, string serialNumber, string reason);

    [LoggerMessage(5003, LogLevel.Warning, "Rejected envelope from {RemoteAddress}: fault {FaultCode} {Reason}")]
    public static partial void EnvelopeRejected(ILogger logger, string? remoteAddress, uint faultCode, string reason);

    [LoggerMessage(5004, LogLevel.Warning, "CPE authentication failed for user '{Username}' from {RemoteAddress}: {Reason}")]
    public static partial void AuthenticationFailed(ILogger logger, string username, string? remoteAddress, string reason);

    [LoggerMessage(5005, LogLevel.Warning, "ReportDeviceContact for {SerialNumber} failed; continuing without a workflow")]
    public static partial void ContactReportFailed(ILogger logger, Exception exception, string serialNumber);

    [LoggerMessage(5006, LogLevel.Information, "Connection Request to {SerialNumber} at {Url}: {Outcome} (attempt {Attempt})")]
    public static partial void ConnectionRequestOutcome(ILogger logger, string serialNumber, string url, string outcome, int attempt);

    [LoggerMessage(5007, LogLevel.Warning, "Device {SerialNumber} answered {Method} with fault {FaultCode} {FaultString}")]
    public static partial void CpeFault(ILogger logger, string serialNumber, string method, uint faultCode, string faultString);

    [LoggerMessage(5008, LogLevel.Warning, "Session {SessionId}: unexpected {Method} from the CPE")]
    public static partial void UnexpectedMessage(ILogger logger, string sessionId, string method);

    [LoggerMessage(5009, LogLevel.Warning, "Device lookup for authentication failed")]
    public static partial void LookupFailed(ILogger logger, Exception exception);

    [LoggerMessage(5010, LogLevel.Warning, "ReportRefusedContact failed; refused contacts are not on record until the orchestrator answers again")]
    public static partial void RefusalReportFailed(ILogger logger, Exception exception);

    [LoggerMessage(5011, LogLevel.Warning, "Cwmp:Auth:AllowBasicOverHttp is set: CPEs may send their password in clear text (HTTP Basic without TLS)")]
    public static partial void BasicOverHttpAllowed(ILogger logger);

    [LoggerMessage(5012, LogLevel.Information, "The orchestrator refused the contact of {SerialNumber}; session {SessionId} ends")]
    public static partial void ContactRefused(ILogger logger, string serialNumber, string sessionId);

    [LoggerMessage(5013, LogLevel.Warning, "Rejected request body from {RemoteAddress}: {Reason}")]
    public static partial void BodyRejected(ILogger logger, string? remoteAddress, string reason);

    [LoggerMessage(5014, LogLevel.Debug, "TransferComplete from {SerialNumber} for CommandKey '{CommandKey}': fault {FaultCode} (awaited: {Awaited}), session {SessionId}")]
    public static partial void TransferCompleted(ILogger logger, string serialNumber, string commandKey, uint faultCode, bool awaited, string sessionId);

    [LoggerMessage(5015, LogLevel.Information, "Watching the orchestrator's device changes: steady lookups are kept while it hears every change ({Complete})")]
    public static partial void WatchingDeviceChanges(ILogger logger, bool complete);

    [LoggerMessage(5016, LogLevel.Information, "The orchestrator's device changes are not watched ({Reason}); lookups are kept for Cwmp:Auth:CacheDuration only, until it is back")]
    public static partial void DeviceChangesUnwatched(ILogger logger, string reason);
}
