using Microsoft.Extensions.Logging;

namespace Provisioning.Southbound.Usp.Telemetry;

/// <summary>
/// Source-generated log messages of the USP adapter. Event ids 6000-6999 are its own (the orchestrator has 1000-4999, the
/// CWMP adapter 5000-5999, ServiceDefaults 9000-9999), so they stay unique when all three share a process.
/// </summary>
internal static partial class UspLog
{
    [LoggerMessage(6001, LogLevel.Information, "USP agent {EndpointId} connected over {Mtp}")]
    public static partial void AgentConnected(ILogger logger, string endpointId, string mtp);

    [LoggerMessage(6002, LogLevel.Information, "USP agent {EndpointId} disconnected from {Mtp}")]
    public static partial void AgentDisconnected(ILogger logger, string endpointId, string mtp);

    [LoggerMessage(6003, LogLevel.Warning, "USP WebSocket upgrade refused with {Status} for {EndpointId}: {Reason}")]
    public static partial void UpgradeRefused(ILogger logger, int status, string endpointId, string reason);

    [LoggerMessage(6004, LogLevel.Warning, "Unparseable USP record from {EndpointId}: {Reason}")]
    public static partial void BadRecord(ILogger logger, string endpointId, string reason);

    [LoggerMessage(6005, LogLevel.Debug, "USP record ignored ({Reason}) from {EndpointId}")]
    public static partial void RecordIgnored(ILogger logger, string endpointId, string reason);

    [LoggerMessage(6006, LogLevel.Warning, "USP agent {EndpointId} is not in the inventory: {Action}")]
    public static partial void UnknownAgent(ILogger logger, string endpointId, string action);

    [LoggerMessage(6007, LogLevel.Warning, "First contact of USP agent {EndpointId} failed")]
    public static partial void FirstContactFailed(ILogger logger, string endpointId, Exception exception);

    [LoggerMessage(6008, LogLevel.Information, "USP agent {EndpointId} reported {EventCodes}: orchestrator decided {Action} {WorkflowId}")]
    public static partial void ContactReported(ILogger logger, string endpointId, string eventCodes, string action, string workflowId);

    [LoggerMessage(6009, LogLevel.Debug, "USP notification {Kind} from {EndpointId}")]
    public static partial void Notification(ILogger logger, string endpointId, string kind);

    [LoggerMessage(6010, LogLevel.Warning, "USP MQTT transport error")]
    public static partial void MqttError(ILogger logger, Exception exception);

    [LoggerMessage(6011, LogLevel.Information, "USP MQTT transport connected to {Broker}, listening on {Topic}")]
    public static partial void MqttConnected(ILogger logger, string broker, string topic);

    [LoggerMessage(6012, LogLevel.Debug, "USP request {MsgType} {MsgId} to {EndpointId} failed: {Reason}")]
    public static partial void RequestFailed(ILogger logger, string endpointId, string msgType, string msgId, string reason);

    [LoggerMessage(6013, LogLevel.Warning, "USP agent {EndpointId} refused the {Step} during onboarding: error {Code} {Reason}")]
    public static partial void OnboardingStepRefused(ILogger logger, string endpointId, string step, uint code, string reason);

    [LoggerMessage(6017, LogLevel.Warning, "USP agent {EndpointId} refused over {Mtp} ({Reason}): {Detail} from {RemoteAddress}")]
    public static partial void ContactRefused(ILogger logger, string endpointId, string mtp, string reason, string detail, string remoteAddress);

    [LoggerMessage(6018, LogLevel.Debug, "ReportRefusedContact for USP agent {EndpointId} failed: {Status}")]
    public static partial void RefusalReportFailed(ILogger logger, string endpointId, string status);

    [LoggerMessage(6019, LogLevel.Warning, "Usp:Auth:AllowUnauthenticatedAgents is set: agents with neither a secret in the inventory nor a client certificate are managed on their word (not for production)")]
    public static partial void UnauthenticatedAgentsAllowed(ILogger logger);

    [LoggerMessage(6021, LogLevel.Information, "USP agent {EndpointId} firmware upgrade {CommandKey} into {Image}: {Outcome} (fault {FaultCode}), version {VersionBefore} -> {VersionAfter}")]
    public static partial void FirmwareUpgraded(ILogger logger, string endpointId, string commandKey, string image, string outcome, uint faultCode, string versionBefore, string versionAfter);

    [LoggerMessage(6022, LogLevel.Debug, "USP agent {EndpointId} sent a Boot! for the firmware activation but no ParameterMap SoftwareVersion: read with a Get")]
    public static partial void FirmwareVersionRead(ILogger logger, string endpointId);

    [LoggerMessage(6020, LogLevel.Information, "USP agent {EndpointId} refused by the orchestrator's policy: connection closed")]
    public static partial void ContactRefusedByPolicy(ILogger logger, string endpointId);
}
