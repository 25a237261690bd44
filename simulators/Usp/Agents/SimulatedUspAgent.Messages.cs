using Provisioning.Simulators.Usp.Transport;
using Provisioning.Usp.Messages;

namespace Provisioning.Simulators.Usp.Agents;

/// <summary>The agent's answers to controller requests, computed from its data model.</summary>
public sealed partial class SimulatedUspAgent
{
    private Msg Handle(Msg request)
    {
        var req = request.Body.Request;
        try
        {
            return req.ReqTypeCase switch
            {
                Request.ReqTypeOneofCase.Get => Respond(request, Header.Types.MsgType.GetResp, new Response { GetResp = Get(req.Get) }),
                Request.ReqTypeOneofCase.Set => SetOrError(request, req.Set),
                Request.ReqTypeOneofCase.Add => AddOrError(request, req.Add),
                Request.ReqTypeOneofCase.Delete => DeleteOrError(request, req.Delete),
                Request.ReqTypeOneofCase.Operate => Operate(request, req.Operate),
                Request.ReqTypeOneofCase.GetInstances => Respond(request, Header.Types.MsgType.GetInstancesResp, new Response { GetInstancesResp = GetInstances(req.GetInstances) }),
                Request.ReqTypeOneofCase.GetSupportedDm => Respond(request, Header.Types.MsgType.GetSupportedDmResp, new Response { GetSupportedDmResp = GetSupportedDm(req.GetSupportedDm) }),
                Request.ReqTypeOneofCase.GetSupportedProtocol => Respond(request, Header.Types.MsgType.GetSupportedProtoResp, new Response { GetSupportedProtocolResp = new GetSupportedProtocolResp { AgentSupportedProtocolVersions = "1.3,1.4" } }),
                _ => Error(request, 7001, "message not supported"),
            };
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return Error(request, 7003, "internal error: " + ex.Message);
        }
    }

    private static Msg Respond(Msg request, Header.Types.MsgType type, Response response) => new()
    {
        Header = new Header { MsgId = request.Header.MsgId, MsgType = type },
        Body = new Body { Response = response },
    };

    private static Msg Error(Msg request, uint code, string message, IEnumerable<Error.Types.ParamError>? paramErrors = null)
    {
        var error = new Error { ErrCode = code, ErrMsg = message };
        if (paramErrors is not null) error.ParamErrs.AddRange(paramErrors);
        return new Msg
        {
            Header = new Header { MsgId = request.Header.MsgId, MsgType = Header.Types.MsgType.Error },
            Body = new Body { Error = error },
        };
    }

    private GetResp Get(Get get)
    {
        var resp = new GetResp();
        foreach (var path in get.ParamPaths)
        {
            var result = new GetResp.Types.RequestedPathResult { RequestedPath = path };
            var values = DataModel.Read(path);
            if (values is null)
            {
                result.ErrCode = 7026;
                result.ErrMsg = "invalid path";
            }
            else
            {
                foreach (var group in values.GroupBy(v => v.Key[..(v.Key.LastIndexOf('.') + 1)]))
                {
                    var resolved = new GetResp.Types.ResolvedPathResult { ResolvedPath = group.Key };
                    foreach (var (name, value) in group) resolved.ResultParams[name[group.Key.Length..]] = value;
                    result.ResolvedPathResults.Add(resolved);
                }
            }
            resp.ReqPathResults.Add(result);
        }
        return resp;
    }

    private Msg SetOrError(Msg request, Set set)
    {
        var errors = new List<Error.Types.ParamError>();
        foreach (var obj in set.UpdateObjs)
        {
            if (!DataModel.ObjectExists(obj.ObjPath) || !obj.ObjPath.EndsWith('.'))
            {
                errors.Add(new Error.Types.ParamError { ParamPath = obj.ObjPath, ErrCode = 7016, ErrMsg = "object does not exist" });
                continue;
            }
            foreach (var setting in obj.ParamSettings)
            {
                var path = obj.ObjPath + setting.Param;
                var code = _injectedErrors.TryGetValue(path, out var injected) ? injected : DataModel.CheckWrite(path, setting.Value);
                if (code != 0) errors.Add(new Error.Types.ParamError { ParamPath = path, ErrCode = code, ErrMsg = Describe(code) });
            }
        }
        if (errors.Count > 0)
        {
            // allow_partial false (the only mode the simulator needs): nothing is applied, one Error lists every failure.
            return Error(request, errors[0].ErrCode, Describe(errors[0].ErrCode), errors);
        }

        var resp = new SetResp();
        foreach (var obj in set.UpdateObjs)
        {
            var updated = new SetResp.Types.UpdatedInstanceResult { AffectedPath = obj.ObjPath };
            foreach (var setting in obj.ParamSettings)
            {
                var path = obj.ObjPath + setting.Param;
                if (!_ignoredWrites.ContainsKey(path)) DataModel.Write(path, setting.Value);
                updated.UpdatedParams[setting.Param] = setting.Value;
            }
            var success = new SetResp.Types.UpdatedObjectResult.Types.OperationStatus.Types.OperationSuccess();
            success.UpdatedInstResults.Add(updated);
            resp.UpdatedObjResults.Add(new SetResp.Types.UpdatedObjectResult
            {
                RequestedPath = obj.ObjPath,
                OperStatus = new SetResp.Types.UpdatedObjectResult.Types.OperationStatus { OperSuccess = success },
            });
        }
        return Respond(request, Header.Types.MsgType.SetResp, new Response { SetResp = resp });
    }

    private Msg AddOrError(Msg request, Add add)
    {
        var resp = new AddResp();
        foreach (var create in add.CreateObjs)
        {
            var values = create.ParamSettings.Select(p => new KeyValuePair<string, string>(p.Param, p.Value)).ToList();
            foreach (var (name, _) in values)
            {
                if (_injectedErrors.TryGetValue(create.ObjPath + "{i}." + name, out var injected))
                    return Error(request, injected, Describe(injected), [new Error.Types.ParamError { ParamPath = create.ObjPath + name, ErrCode = injected, ErrMsg = Describe(injected) }]);
            }
            var (path, code, parameter) = DataModel.Create(create.ObjPath, values);
            if (path is null)
            {
                var failing = create.ObjPath + (parameter ?? "");
                return Error(request, code, Describe(code), [new Error.Types.ParamError { ParamPath = failing, ErrCode = code, ErrMsg = Describe(code) }]);
            }
            var success = new AddResp.Types.CreatedObjectResult.Types.OperationStatus.Types.OperationSuccess { InstantiatedPath = path };
            resp.CreatedObjResults.Add(new AddResp.Types.CreatedObjectResult
            {
                RequestedPath = create.ObjPath,
                OperStatus = new AddResp.Types.CreatedObjectResult.Types.OperationStatus { OperSuccess = success },
            });
        }
        return Respond(request, Header.Types.MsgType.AddResp, new Response { AddResp = resp });
    }

    private Msg DeleteOrError(Msg request, Delete delete)
    {
        var resp = new DeleteResp();
        foreach (var path in delete.ObjPaths)
        {
            if (!DataModel.DeleteInstance(path))
                return Error(request, 7016, "object does not exist", [new Error.Types.ParamError { ParamPath = path, ErrCode = 7016, ErrMsg = "object does not exist" }]);
            var success = new DeleteResp.Types.DeletedObjectResult.Types.OperationStatus.Types.OperationSuccess();
            success.AffectedPaths.Add(path);
            resp.DeletedObjResults.Add(new DeleteResp.Types.DeletedObjectResult
            {
                RequestedPath = path,
                OperStatus = new DeleteResp.Types.DeletedObjectResult.Types.OperationStatus { OperSuccess = success },
            });
        }
        return Respond(request, Header.Types.MsgType.DeleteResp, new Response { DeleteResp = resp });
    }

    public const string RebootCommand = "Device.Reboot()";
    public const string FactoryResetCommand = "Device.FactoryReset()";
    public const string DownloadCommand = "Device.DeviceInfo.FirmwareImage.1.Download()";

    private Msg Operate(Msg request, Operate operate)
    {
        var result = new OperateResp.Types.OperationResult { ExecutedCommand = operate.Command };
        if (_injectedErrors.TryGetValue(operate.Command, out var injected))
        {
            result.CmdFailure = new OperateResp.Types.OperationResult.Types.CommandFailure { ErrCode = injected, ErrMsg = Describe(injected) };
        }
        else if (operate.Command is RebootCommand or FactoryResetCommand)
        {
            result.ReqOutputArgs = new OperateResp.Types.OperationResult.Types.OutputArgs();
        }
        else if (FirmwareCommand(operate.Command) is { } firmware)
        {
            if (!DataModel.ObjectExists(firmware.Image)) return Error(request, 7026, "no firmware image " + firmware.Image);
            if (firmware.Name == "Download()" && !operate.InputArgs.ContainsKey("URL")) return Error(request, 7027, "URL is required");
            if (firmware.Name == "Activate()" && DataModel[firmware.Image + "Status"] != "Available")
                result.CmdFailure = new OperateResp.Types.OperationResult.Types.CommandFailure { ErrCode = 7022, ErrMsg = "no valid image to activate" };
            else
                result.ReqObjPath = $"Device.LocalAgent.Request.{Interlocked.Increment(ref _nextRequest)}.";
        }
        else
        {
            return Error(request, 7026, "unsupported command " + operate.Command);
        }
        var resp = new OperateResp();
        resp.OperationResults.Add(result);
        return Respond(request, Header.Types.MsgType.OperateResp, new Response { OperateResp = resp });
    }

    private void AfterOperate(IAgentConnection connection, Operate operate, OperateResp.Types.OperationResult result)
    {
        if (result.OperationRespCase == OperateResp.Types.OperationResult.OperationRespOneofCase.CmdFailure) return;
        if (operate.Command == RebootCommand)
        {
            _ = Task.Run(async () =>
            {
                await Task.Delay(50).ConfigureAwait(false);
                Reboot("RemoteReboot", operate.CommandKey);
            });
        }
        else if (operate.Command == FactoryResetCommand)
        {
            _ = Task.Run(async () =>
            {
                await Task.Delay(50).ConfigureAwait(false);
                FactoryReset(operate.CommandKey);
            });
        }
        else if (FirmwareCommand(operate.Command) is { } firmware)
        {
            _ = firmware.Name == "Download()"
                ? Task.Run(() => DownloadFirmwareAsync(connection, firmware.Image, operate))
                : Task.Run(() => ActivateAsync(firmware.Image, operate.CommandKey));
        }
    }

    private GetInstancesResp GetInstances(GetInstances request)
    {
        var resp = new GetInstancesResp();
        foreach (var path in request.ObjPaths)
        {
            var result = new GetInstancesResp.Types.RequestedPathResult { RequestedPath = path };
            if (!DataModel.ObjectExists(path))
            {
                result.ErrCode = 7016;
                result.ErrMsg = "object does not exist";
            }
            else
            {
                var instances = request.FirstLevelOnly ? DataModel.Instances(path) : DataModel.AllInstancesUnder(path);
                foreach (var instance in instances) result.CurrInsts.Add(new GetInstancesResp.Types.CurrInstance { InstantiatedObjPath = instance });
            }
            resp.ReqPathResults.Add(result);
        }
        return resp;
    }

    private GetSupportedDMResp GetSupportedDm(GetSupportedDM request)
    {
        var resp = new GetSupportedDMResp();
        foreach (var path in request.ObjPaths)
        {
            var result = new GetSupportedDMResp.Types.RequestedObjectResult { ReqObjPath = path, DataModelInstUri = "urn:broadband-forum-org:tr-181-2-17-0-usp" };
            foreach (var (obj, (multi, parameters)) in DataModel.Supported(path))
            {
                var supported = new GetSupportedDMResp.Types.SupportedObjectResult
                {
                    SupportedObjPath = obj,
                    IsMultiInstance = multi,
                    Access = multi ? GetSupportedDMResp.Types.ObjAccessType.ObjAddDelete : GetSupportedDMResp.Types.ObjAccessType.ObjReadOnly,
                };
                if (request.ReturnParams)
                {
                    foreach (var name in parameters)
                        supported.SupportedParams.Add(new GetSupportedDMResp.Types.SupportedParamResult { ParamName = name, Access = GetSupportedDMResp.Types.ParamAccessType.ParamReadWrite });
                }
                result.SupportedObjs.Add(supported);
            }
            if (request.ReturnCommands && path == "Device.")
            {
                var root = result.SupportedObjs.FirstOrDefault(o => o.SupportedObjPath == "Device.");
                if (root is null)
                {
                    root = new GetSupportedDMResp.Types.SupportedObjectResult { SupportedObjPath = "Device." };
                    result.SupportedObjs.Add(root);
                }
                root.SupportedCommands.Add(new GetSupportedDMResp.Types.SupportedCommandResult { CommandName = "Reboot()", CommandType = GetSupportedDMResp.Types.CmdType.CmdSync });
                root.SupportedCommands.Add(new GetSupportedDMResp.Types.SupportedCommandResult { CommandName = "FactoryReset()", CommandType = GetSupportedDMResp.Types.CmdType.CmdSync });
                if (request.ReturnEvents) root.SupportedEvents.Add(new GetSupportedDMResp.Types.SupportedEventResult { EventName = "Boot!", ArgNames = { "CommandKey", "Cause", "FirmwareUpdated", "ParameterMap" } });
            }
            resp.ReqObjResults.Add(result);
        }
        return resp;
    }

    private static string Describe(uint code) => code switch
    {
        7004 => "invalid arguments",
        7010 => "unsupported parameter",
        7012 => "invalid value",
        7013 => "parameter not writable",
        7016 => "object does not exist",
        7018 => "not a table",
        7022 => "command failure",
        7026 => "invalid path",
        7027 => "invalid command arguments",
        _ => "error " + code,
    };
}
