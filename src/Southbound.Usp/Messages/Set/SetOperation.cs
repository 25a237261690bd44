using Provisioning.Southbound.Usp.Agents;
using Provisioning.Usp.Messages;

namespace Provisioning.Southbound.Usp.Messages.Set;

/// <summary>One object of a Set: its path ("Device.WiFi.SSID.1.") and the parameters under it.</summary>
internal sealed record ObjectUpdate(string ObjectPath, IReadOnlyList<KeyValuePair<string, string>> Parameters);

internal static class SetOperation
{
    /// <summary>All-or-nothing Set (allow_partial false); any failure becomes a <see cref="UspErrorException"/>.</summary>
    public static async Task SetAsync(this UspRequester requester, AgentSession session, IReadOnlyList<ObjectUpdate> objects, CancellationToken cancellationToken)
    {
        var set = new Provisioning.Usp.Messages.Set { AllowPartial = false };
        foreach (var obj in objects)
        {
            var update = new Provisioning.Usp.Messages.Set.Types.UpdateObject { ObjPath = obj.ObjectPath };
            foreach (var (name, value) in obj.Parameters)
            {
                update.ParamSettings.Add(new Provisioning.Usp.Messages.Set.Types.UpdateParamSetting { Param = name, Value = value, Required = true });
            }
            set.UpdateObjs.Add(update);
        }
        var response = await requester.SendAsync(session, Header.Types.MsgType.Set, new Request { Set = set }, cancellationToken).ConfigureAwait(false);
        if (response.RespTypeCase != Response.RespTypeOneofCase.SetResp)
            throw new UspProtocolViolationException($"expected SetResp, got {response.RespTypeCase}");

        foreach (var result in response.SetResp.UpdatedObjResults)
        {
            var status = result.OperStatus;
            if (status?.OperStatusCase == SetResp.Types.UpdatedObjectResult.Types.OperationStatus.OperStatusOneofCase.OperFailure)
            {
                var failure = status.OperFailure;
                var paramErrors = failure.UpdatedInstFailures
                    .SelectMany(f => f.ParamErrs.Select(p => new UspParamError(f.AffectedPath + p.Param, p.ErrCode, p.ErrMsg)))
                    .ToArray();
                Telemetry.UspTelemetry.CountError(failure.ErrCode);
                throw new UspErrorException(failure.ErrCode, failure.ErrMsg,
                    paramErrors.Length > 0 ? paramErrors : [new UspParamError(result.RequestedPath, failure.ErrCode, failure.ErrMsg)]);
            }
            if (status?.OperSuccess is { } success)
            {
                // Required parameters that failed come back inside a success with allow_partial true only;
                // report them anyway so nothing is silently lost.
                var paramErrors = success.UpdatedInstResults
                    .SelectMany(r => r.ParamErrs.Select(p => new UspParamError(r.AffectedPath + p.Param, p.ErrCode, p.ErrMsg)))
                    .ToArray();
                if (paramErrors.Length > 0)
                {
                    Telemetry.UspTelemetry.CountError(paramErrors[0].Code);
                    throw new UspErrorException(paramErrors[0].Code, "parameters not applied", paramErrors);
                }
            }
        }
    }
}
