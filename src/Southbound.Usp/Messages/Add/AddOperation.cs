using Provisioning.Southbound.Usp.Agents;
using Provisioning.Usp.Messages;

namespace Provisioning.Southbound.Usp.Messages.Add;

internal static class AddOperation
{
    /// <summary>Creates one instance of a table ("Device.Ethernet.VLANTermination.") and returns the path the agent assigned.</summary>
    public static async Task<string> AddAsync(this UspRequester requester, AgentSession session, string tablePath, IEnumerable<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken)
    {
        var create = new Provisioning.Usp.Messages.Add.Types.CreateObject { ObjPath = tablePath };
        foreach (var (name, value) in parameters)
        {
            create.ParamSettings.Add(new Provisioning.Usp.Messages.Add.Types.CreateParamSetting { Param = name, Value = value, Required = true });
        }
        var add = new Provisioning.Usp.Messages.Add { AllowPartial = false };
        add.CreateObjs.Add(create);
        var response = await requester.SendAsync(session, Header.Types.MsgType.Add, new Request { Add = add }, cancellationToken).ConfigureAwait(false);
        if (response.RespTypeCase != Response.RespTypeOneofCase.AddResp || response.AddResp.CreatedObjResults.Count != 1)
            throw new UspProtocolViolationException($"expected an AddResp with one result, got {response.RespTypeCase}");

        var status = response.AddResp.CreatedObjResults[0].OperStatus;
        if (status?.OperFailure is { } failure)
        {
            Telemetry.UspTelemetry.CountError(failure.ErrCode);
            throw new UspErrorException(failure.ErrCode, failure.ErrMsg, [new UspParamError(tablePath, failure.ErrCode, failure.ErrMsg)]);
        }
        if (status?.OperSuccess is not { } success || string.IsNullOrEmpty(success.InstantiatedPath))
            throw new UspProtocolViolationException("AddResp without an instantiated path");
        if (success.ParamErrs.Count > 0)
        {
            var first = success.ParamErrs[0];
            Telemetry.UspTelemetry.CountError(first.ErrCode);
            throw new UspErrorException(first.ErrCode, first.ErrMsg,
                success.ParamErrs.Select(p => new UspParamError(success.InstantiatedPath + p.Param, p.ErrCode, p.ErrMsg)).ToArray());
        }
        var path = success.InstantiatedPath.EndsWith('.') ? success.InstantiatedPath : success.InstantiatedPath + ".";
        // An instance of the table asked for, by number: anything else (another object, control characters) would be
        // written to and recorded in the workflow's events as the device's numbering.
        if (!path.StartsWith(tablePath, StringComparison.Ordinal) || path.Length <= tablePath.Length + 1
            || path.AsSpan(tablePath.Length, path.Length - tablePath.Length - 1).ContainsAnyExcept("0123456789"))
            throw new UspProtocolViolationException($"AddResp instantiated path is not an instance of {tablePath}");
        return path;
    }
}
