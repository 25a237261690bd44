using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Provisioning.Orchestrator.Telemetry;
using Provisioning.Orchestrator.Workflows;

namespace Provisioning.Orchestrator.Firmware;

/// <summary>
/// GET/HEAD "/firmware/{scope}/{token}/{file}" on the image listener: the file with Range support (a CPE resumes a
/// broken transfer), or a bare 404 for anything else — a wrong, expired or borrowed token, an unknown file, the
/// northbound listener — so a prober learns nothing about which images or devices exist. Why it was refused goes to
/// the log (never the token).
/// </summary>
public sealed partial class FirmwareImageEndpoint(FirmwareImageFolder folder, FirmwareImageTokens tokens, IOptions<FirmwareImageOptions> options,
    ILogger<FirmwareImageEndpoint> logger)
{
    private readonly int _listenerPort = FirmwareImageListener.PortOf(options.Value.ImageUrl);

    public IResult Serve(HttpContext context, string scope, string token, string file)
    {
        if (context.Connection.LocalPort != _listenerPort) return Refuse(context, "not on the image listener");
        if (!tokens.Admits(token, scope, file)) return Refuse(context, "token not valid for this device and file, or expired");
        if (folder.Find(file) is not { } image) return Refuse(context, "no such image");

        OrchestratorTelemetry.FirmwareImageRequests.Add(1, new KeyValuePair<string, object?>("outcome", "served"));
        Served(logger, DeviceText.Printable(file, 100), DeviceText.Printable(scope, 100), context.Request.Headers.Range.ToString() is { Length: > 0 } range ? DeviceText.Printable(range, 100) : "whole");
        var tag = new EntityTagHeaderValue($"\"{image.Length:x}-{image.LastWriteTimeUtc.Ticks:x}\"");
        return Results.File(image.FullName, "application/octet-stream", lastModified: image.LastWriteTimeUtc, entityTag: tag, enableRangeProcessing: true);
    }

    private IResult Refuse(HttpContext context, string reason)
    {
        OrchestratorTelemetry.FirmwareImageRequests.Add(1, new KeyValuePair<string, object?>("outcome", "refused"));
        Refused(logger, reason, context.Connection.RemoteIpAddress?.ToString() ?? "?");
        return Results.NotFound();
    }

    [LoggerMessage(5001, LogLevel.Information, "Firmware image {File} served to {Scope} ({Range})")]
    private static partial void Served(ILogger logger, string file, string scope, string range);

    [LoggerMessage(5002, LogLevel.Warning, "Firmware image request from {Remote} refused: {Reason}")]
    private static partial void Refused(ILogger logger, string reason, string remote);
}
