using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Provisioning.Simulators.Cwmp.DataModel;
using Provisioning.Simulators.Cwmp.Firmware;
using Provisioning.Simulators.Cwmp.Soap;

namespace Provisioning.Simulators.Cwmp;

/// <summary>How one CWMP session of a simulated CPE went.</summary>
public sealed record SessionResult(bool Succeeded, string? Error, IReadOnlyList<string> EventCodes, IReadOnlyList<string> RequestsFromAcs, bool Dropped)
{
    public override string ToString() =>
        $"{(Succeeded ? "ok" : "failed")} [{string.Join(", ", EventCodes)}] -> [{string.Join(", ", RequestsFromAcs)}]{(Error is null ? "" : " " + Error)}";
}

/// <summary>
/// A simulated TR-069 CPE: opens sessions with an Inform, authenticates (Basic or Digest), keeps the ACS's
/// cookie for the session, sends the empty POST, answers the ACS's RPCs from its data model, and informs
/// again after a reboot, factory reset or download. One session at a time; misbehaviour comes from <see cref="Behavior"/>.
/// </summary>
public sealed class SimulatedCpe
{
    private static readonly string[] CpeMethods =
    [
        "GetRPCMethods", "SetParameterValues", "GetParameterValues", "GetParameterNames", "SetParameterAttributes",
        "GetParameterAttributes", "AddObject", "DeleteObject", "Reboot", "Download", "Upload", "FactoryReset", "ScheduleInform",
    ];

    private readonly HttpClient http;
    private readonly string connectionRequestUrl;
    private readonly SemaphoreSlim sessionGate = new(1, 1);
    private readonly Lock modelGate = new();
    private readonly List<SessionResult> history = [];
    private SortedDictionary<string, SimulatedParameter> model;
    private Dictionary<string, string>? digestChallenge;
    private int digestCount;
    private bool basicChallenged;
    private int sessionsStarted;
    private int informCount;
    private TaskCompletionSource sessionEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SimulatedCpe(SimulatedCpeOptions options, HttpClient http, string connectionRequestUrl, CpeBehavior? behavior = null)
    {
        Options = options;
        this.http = http;
        this.connectionRequestUrl = connectionRequestUrl;
        Behavior = behavior ?? new CpeBehavior();
        model = CpeDataModel.Create(options.DataModel, options, connectionRequestUrl);
    }

    public SimulatedCpeOptions Options { get; }
    public CpeBehavior Behavior { get; }
    public string SerialNumber => Options.SerialNumber;
    public string Root => CpeDataModel.RootOf(Options.DataModel);
    public string ConnectionRequestUrl => connectionRequestUrl;
    public bool InSession => sessionGate.CurrentCount == 0;
    public int SessionsStarted => Volatile.Read(ref sessionsStarted);

    /// <summary>The stored ParameterKey (set only by a successful SetParameterValues/AddObject/DeleteObject).</summary>
    public string ParameterKey => GetValue(Root + "ManagementServer.ParameterKey") ?? "";

    /// <summary>The stored value, secrets included (what the device really holds, not what it reads back).</summary>
    /// <summary>Removes an object instance and everything under it (a CPE with fewer instances than the push names).</summary>
    public void RemoveObject(string objectPath)
    {
        lock (modelGate)
        {
            foreach (var key in model.Keys.Where(k => k.StartsWith(objectPath, StringComparison.Ordinal)).ToList()) model.Remove(key);
        }
    }

    private readonly Dictionary<string, uint> highestInstance = new(StringComparer.Ordinal);

    private static string DefaultOf(string type) => type switch
    {
        CpeDataModel.Bool => "false",
        CpeDataModel.UInt => "0",
        _ => "",
    };

    public string? GetValue(string name)
    {
        lock (modelGate) return model.TryGetValue(name, out var p) ? p.Value : null;
    }

    public IReadOnlyList<SessionResult> History
    {
        get
        {
            lock (history) return [.. history];
        }
    }

    /// <summary>A factory-fresh device's first contact: "0 BOOTSTRAP" and "1 BOOT".</summary>
    public Task<SessionResult> BootstrapAsync(CancellationToken cancellationToken = default) =>
        RunSessionAsync([("0 BOOTSTRAP", ""), ("1 BOOT", "")], cancellationToken);

    /// <summary>Bootstraps, retrying failed sessions as TR-069 tells a CPE to; the last session and how many retries it took.</summary>
    public async Task<(SessionResult Result, int Retries)> BootstrapWithRetryAsync(SessionRetry retry, CancellationToken cancellationToken = default)
    {
        for (var retries = 0; ; retries++)
        {
            var result = await BootstrapAsync(cancellationToken).ConfigureAwait(false);
            if (result.Succeeded || retries >= retry.MaxRetries) return (result, retries);
            await Task.Delay(retry.WaitBefore(retries + 1), cancellationToken).ConfigureAwait(false);
        }
    }

    public Task<SessionResult> InformAsync(params string[] eventCodes) => RunSessionAsync(eventCodes.Select(c => (c, "")).ToArray(), default);

    /// <summary>Waits until at least <paramref name="count"/> sessions of this device have ended.</summary>
    public async Task WaitForSessionsAsync(int count, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            Task ended;
            lock (history)
            {
                if (history.Count >= count) return;
                ended = sessionEnded.Task;
            }
            await ended.WaitAsync(cts.Token).ConfigureAwait(false);
        }
    }

    /// <summary>A Connection Request arrived: start a session unless one is running (then the listener answers 503).</summary>
    internal bool TryStartConnectionRequestSession()
    {
        if (!sessionGate.Wait(0)) return false;
        sessionGate.Release();
        _ = Task.Run(() => RunSessionAsync([("6 CONNECTION REQUEST", "")], CancellationToken.None));
        return true;
    }

    public async Task<SessionResult> RunSessionAsync(IReadOnlyList<(string Code, string CommandKey)> events, CancellationToken cancellationToken)
    {
        SessionResult result;
        FollowUp? followUp;
        await sessionGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Interlocked.Increment(ref sessionsStarted);
            (result, followUp) = await SessionAsync(events, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or System.Xml.XmlException or InvalidOperationException)
        {
            (result, followUp) = (new SessionResult(false, ex.Message, events.Select(e => e.Code).ToArray(), [], false), null);
        }
        finally
        {
            sessionGate.Release();
        }
        lock (history)
        {
            history.Add(result);
            sessionEnded.TrySetResult();
            sessionEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        // What a real CPE does after the session: reboot and inform, report a transfer, inform when scheduled.
        if (followUp is not null && !cancellationToken.IsCancellationRequested)
        {
            if (followUp.Delay > TimeSpan.Zero) await Task.Delay(followUp.Delay, cancellationToken).ConfigureAwait(false);
            var next = followUp.Events;
            if (followUp.Download is { } download) (next, pendingTransfer) = await DownloadAsync(download, cancellationToken).ConfigureAwait(false);
            else if (followUp.TransferCommandKey is { } key) pendingTransfer = new PendingTransfer(key, 0, "", DateTime.UtcNow, DateTime.UtcNow);
            if (followUp.FactoryReset) ResetToFactory();
            await RunSessionAsync(next, cancellationToken).ConfigureAwait(false);
        }
        return result;
    }

    private sealed record FollowUp((string, string)[] Events, TimeSpan Delay, string? TransferCommandKey = null, DownloadRequest? Download = null, bool FactoryReset = false);

    /// <summary>The TransferComplete the next session sends after its Inform.</summary>
    private sealed record PendingTransfer(string CommandKey, uint FaultCode, string FaultString, DateTime StartTime, DateTime CompleteTime);

    private PendingTransfer? pendingTransfer;
    private FollowUp? followUpAfterSession;

    /// <summary>The TransferComplete FaultCodes this CPE has sent, in order (0: success).</summary>
    public IReadOnlyList<uint> TransferFaults
    {
        get
        {
            lock (transferFaults) return [.. transferFaults];
        }
    }

    private readonly List<uint> transferFaults = [];

    /// <summary>The firmware the CPE runs; survives a factory reset (which restores settings, not the image).</summary>
    public string SoftwareVersion => GetValue(Root + "DeviceInfo.SoftwareVersion") ?? Options.SoftwareVersion;

    /// <summary>
    /// After the session that accepted the Download: fetch the file for real, then a firmware image "reboots" the CPE
    /// into it (1 BOOT with the transfer's events); anything else, or a failure, is reported without a reboot.
    /// </summary>
    private async Task<((string, string)[] Events, PendingTransfer Transfer)> DownloadAsync(DownloadRequest download, CancellationToken cancellationToken)
    {
        var outcome = await FileTransfer.DownloadAsync(http, download, cancellationToken).ConfigureAwait(false);
        if (outcome.Succeeded && Behavior.DownloadFault is { } injected and not 0)
            outcome = outcome with { FaultCode = injected, FaultString = FileTransfer.FaultText(injected), Image = null };
        var transfer = new PendingTransfer(download.CommandKey, outcome.FaultCode, outcome.FaultString, outcome.StartTime, outcome.CompleteTime);
        (string, string)[] reported = [("7 TRANSFER COMPLETE", ""), ("M Download", download.CommandKey)];
        if (!outcome.Succeeded || !download.IsFirmware) return (reported, transfer);
        if (!Behavior.KeepsOldFirmware)
        {
            var version = FirmwareImage.VersionOf(outcome.Image ?? [], download.TargetFileName, new Uri(download.Url));
            lock (modelGate) model[Root + "DeviceInfo.SoftwareVersion"].Value = version;
        }
        return ([("1 BOOT", ""), .. reported], transfer);
    }

    private static DownloadRequest DownloadRequestOf(AcsMessage request) =>
        new(request.Field("CommandKey"), request.Field("FileType"), request.Field("URL"), request.Fields.GetValueOrDefault("Username"),
            request.Fields.GetValueOrDefault("Password"), long.TryParse(request.Field("FileSize"), out var size) ? size : 0, request.Fields.GetValueOrDefault("TargetFileName"));

    /// <summary>A Download done while the ACS waits (<see cref="CpeBehavior.DownloadsWithinSession"/>): Status 0 and its times, or its fault.</summary>
    private async Task<byte[]> DownloadWithinSessionAsync(AcsMessage request, CancellationToken cancellationToken)
    {
        var ns = string.IsNullOrEmpty(request.CwmpNamespace) ? Options.CwmpNamespace : request.CwmpNamespace;
        var download = DownloadRequestOf(request);
        var outcome = await FileTransfer.DownloadAsync(http, download, cancellationToken).ConfigureAwait(false);
        if (outcome.Succeeded && Behavior.DownloadFault is { } injected and not 0)
            outcome = outcome with { FaultCode = injected, FaultString = FileTransfer.FaultText(injected), Image = null };
        if (!outcome.Succeeded) return CpeEnvelopeWriter.Fault(ns, request.Id, outcome.FaultCode, outcome.FaultString);
        if (download.IsFirmware && !Behavior.KeepsOldFirmware)
        {
            var version = FirmwareImage.VersionOf(outcome.Image ?? [], download.TargetFileName, new Uri(download.Url));
            lock (modelGate) model[Root + "DeviceInfo.SoftwareVersion"].Value = version;
        }
        return CpeEnvelopeWriter.Write(ns, request.Id, null, w => CpeEnvelopeWriter.Method(w, ns, "DownloadResponse", c =>
        {
            c.WriteElementString("Status", "0");
            c.WriteElementString("StartTime", outcome.StartTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            c.WriteElementString("CompleteTime", outcome.CompleteTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        }));
    }

    private void ResetToFactory()
    {
        lock (modelGate)
        {
            var firmware = model[Root + "DeviceInfo.SoftwareVersion"].Value;
            model = CpeDataModel.Create(Options.DataModel, Options, connectionRequestUrl);
            model[Root + "DeviceInfo.SoftwareVersion"].Value = firmware;
        }
        highestInstance.Clear();
    }

    private async Task<(SessionResult, FollowUp?)> SessionAsync(IReadOnlyList<(string Code, string CommandKey)> events, CancellationToken cancellationToken)
    {
        var cookies = new CookieContainer(); // a new session starts without the previous session's cookie
        var ns = Options.CwmpNamespace;
        var methods = new List<string>();
        var codes = events.Select(e => e.Code).ToArray();
        followUpAfterSession = null;

        var (status, body) = await PostAsync(cookies, BuildInform(events), cancellationToken).ConfigureAwait(false);
        if (status != HttpStatusCode.OK || body.Length == 0) return (new SessionResult(false, $"Inform answered HTTP {(int)status}", codes, methods, false), null);
        var informResponse = AcsMessageReader.Read(new MemoryStream(body));
        if (informResponse.Method != "InformResponse")
            return (new SessionResult(false, $"Inform answered {informResponse.Method} {informResponse.FaultCode}", codes, methods, false), null);

        if (pendingTransfer is { } pending)
        {
            var transfer = CpeEnvelopeWriter.Write(ns, "tc-" + pending.CommandKey, null, w => CpeEnvelopeWriter.Method(w, ns, "TransferComplete", c =>
            {
                c.WriteElementString("CommandKey", pending.CommandKey);
                c.WriteStartElement("FaultStruct");
                c.WriteElementString("FaultCode", pending.FaultCode.ToString(CultureInfo.InvariantCulture));
                c.WriteElementString("FaultString", pending.FaultString);
                c.WriteEndElement();
                c.WriteElementString("StartTime", pending.StartTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
                c.WriteElementString("CompleteTime", pending.CompleteTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            }));
            (status, body) = await PostAsync(cookies, transfer, cancellationToken).ConfigureAwait(false);
            if (status != HttpStatusCode.OK) return (new SessionResult(false, $"TransferComplete answered HTTP {(int)status}", codes, methods, false), null);
            var answer = AcsMessageReader.Read(new MemoryStream(body));
            if (answer.Method != "TransferCompleteResponse")
                return (new SessionResult(false, $"TransferComplete answered {answer.Method} {answer.FaultCode}", codes, methods, false), null);
            // Kept until the ACS acknowledged it: TR-069 3.7.1.5 has the CPE repeat it in later sessions otherwise.
            pendingTransfer = null;
            lock (transferFaults) transferFaults.Add(pending.FaultCode);
        }

        // The empty POST: nothing more from the CPE; the ACS's turn.
        (status, body) = await PostAsync(cookies, [], cancellationToken).ConfigureAwait(false);
        while (true)
        {
            if (status == HttpStatusCode.NoContent || (status == HttpStatusCode.OK && body.Length == 0))
                return (new SessionResult(true, null, codes, methods, false), followUpAfterSession);
            if (status != HttpStatusCode.OK) return (new SessionResult(false, $"ACS answered HTTP {(int)status}", codes, methods, false), null);
            var request = AcsMessageReader.Read(new MemoryStream(body));
            methods.Add(request.Method);
            if (request.Method == "Fault")
                return (new SessionResult(false, $"ACS fault {request.FaultCode} {request.FaultString}", codes, methods, false), null);
            if (Behavior.DropSessionOn is { } drop && drop == request.Method)
            {
                Behavior.DropSessionOn = null;
                return (new SessionResult(false, $"dropped the session on {request.Method}", codes, methods, true), null);
            }
            if (Behavior.AnswerDelay > TimeSpan.Zero) await Task.Delay(Behavior.AnswerDelay, cancellationToken).ConfigureAwait(false);
            var reply = request.Method == "Download" && Behavior.DownloadsWithinSession && Behavior.RefusesDownload is null
                ? await DownloadWithinSessionAsync(request, cancellationToken).ConfigureAwait(false)
                : Answer(request);
            (status, body) = await PostAsync(cookies, reply, cancellationToken).ConfigureAwait(false);
        }
    }

    private byte[] BuildInform(IReadOnlyList<(string Code, string CommandKey)> events)
    {
        var ns = Options.CwmpNamespace;
        List<(string, string, string)> parameters;
        lock (modelGate)
            parameters = CpeDataModel.InformParameters(Options.DataModel)
                .Where(model.ContainsKey)
                .Select(n => (n, model[n].ReadBack, model[n].Type))
                .ToList();
        return CpeEnvelopeWriter.Write(ns, "inform-" + Interlocked.Increment(ref informCount).ToString(CultureInfo.InvariantCulture), Options.SupportedVersions,
            w => CpeEnvelopeWriter.Method(w, ns, "Inform", c =>
            {
                c.WriteStartElement("DeviceId");
                c.WriteElementString("Manufacturer", Options.Manufacturer);
                c.WriteElementString("OUI", Options.Oui);
                c.WriteElementString("ProductClass", Options.ProductClass);
                c.WriteElementString("SerialNumber", Options.SerialNumber);
                c.WriteEndElement();
                c.WriteStartElement("Event");
                c.WriteAttributeString("SOAP-ENC", "arrayType", CpeEnvelopeWriter.SoapEnc, $"cwmp:EventStruct[{events.Count}]");
                foreach (var (code, key) in events)
                {
                    c.WriteStartElement("EventStruct");
                    c.WriteElementString("EventCode", code);
                    c.WriteElementString("CommandKey", key);
                    c.WriteEndElement();
                }
                c.WriteEndElement();
                c.WriteElementString("MaxEnvelopes", "1");
                c.WriteElementString("CurrentTime", DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
                c.WriteElementString("RetryCount", "0");
                CpeEnvelopeWriter.ParameterValueArray(c, parameters);
            }));
    }

    private byte[] Answer(AcsMessage request)
    {
        var ns = string.IsNullOrEmpty(request.CwmpNamespace) ? Options.CwmpNamespace : request.CwmpNamespace;
        var id = request.Id;
        byte[] Respond(string method, Action<System.Xml.XmlWriter>? children = null) =>
            CpeEnvelopeWriter.Write(ns, id, null, w => CpeEnvelopeWriter.Method(w, ns, method, children));

        switch (request.Method)
        {
            case "SetParameterValues":
                return SetParameterValues(request, ns, id);
            case "GetParameterValues":
            {
                var values = new List<(string, string, string)>();
                lock (modelGate)
                {
                    foreach (var name in request.Strings)
                    {
                        var matched = name.EndsWith('.') || name.Length == 0
                            ? model.Where(p => p.Key.StartsWith(name, StringComparison.Ordinal)).ToList()
                            : model.TryGetValue(name, out var p) ? [new KeyValuePair<string, SimulatedParameter>(name, p)] : [];
                        if (matched.Count == 0) return CpeEnvelopeWriter.Fault(ns, id, 9005, $"Invalid parameter name {name}");
                        values.AddRange(matched.Select(m => (m.Key, m.Value.ReadBack, m.Value.Type)));
                    }
                }
                return Respond("GetParameterValuesResponse", c => CpeEnvelopeWriter.ParameterValueArray(c, values));
            }
            case "GetParameterNames":
            {
                var path = request.Field("ParameterPath");
                var nextLevel = request.Field("NextLevel") is "1" or "true";
                List<(string Name, bool Writable)> names;
                lock (modelGate)
                {
                    var under = model.Where(p => p.Key.StartsWith(path, StringComparison.Ordinal)).ToList();
                    if (under.Count == 0) return CpeEnvelopeWriter.Fault(ns, id, 9005, $"Invalid parameter name {path}");
                    names = nextLevel
                        ? under.Select(p =>
                            {
                                var rest = p.Key[path.Length..];
                                var dot = rest.IndexOf('.');
                                return dot < 0 ? (p.Key, p.Value.Writable) : (path + rest[..(dot + 1)], false);
                            }).Distinct().ToList()
                        : under.Select(p => (p.Key, p.Value.Writable)).ToList();
                }
                return Respond("GetParameterNamesResponse", c =>
                {
                    c.WriteStartElement("ParameterList");
                    c.WriteAttributeString("SOAP-ENC", "arrayType", CpeEnvelopeWriter.SoapEnc, $"cwmp:ParameterInfoStruct[{names.Count}]");
                    foreach (var (name, writable) in names)
                    {
                        c.WriteStartElement("ParameterInfoStruct");
                        c.WriteElementString("Name", name);
                        c.WriteElementString("Writable", writable ? "1" : "0");
                        c.WriteEndElement();
                    }
                    c.WriteEndElement();
                });
            }
            case "GetParameterAttributes":
                return Respond("GetParameterAttributesResponse", c =>
                {
                    c.WriteStartElement("ParameterList");
                    c.WriteAttributeString("SOAP-ENC", "arrayType", CpeEnvelopeWriter.SoapEnc, $"cwmp:ParameterAttributeStruct[{request.Strings.Count}]");
                    foreach (var name in request.Strings)
                    {
                        c.WriteStartElement("ParameterAttributeStruct");
                        c.WriteElementString("Name", name);
                        c.WriteElementString("Notification", "0");
                        c.WriteStartElement("AccessList");
                        c.WriteAttributeString("SOAP-ENC", "arrayType", CpeEnvelopeWriter.SoapEnc, "xsd:string[0]");
                        c.WriteEndElement();
                        c.WriteEndElement();
                    }
                    c.WriteEndElement();
                });
            case "SetParameterAttributes":
                return Respond("SetParameterAttributesResponse");
            case "AddObject":
            {
                var objectName = request.Field("ObjectName");
                uint instance;
                lock (modelGate)
                {
                    var siblings = model.Keys.Where(k => k.StartsWith(objectName, StringComparison.Ordinal))
                        .Select(k => uint.TryParse(k[objectName.Length..].Split('.')[0], out var n) ? n : 0u).Where(n => n > 0).ToList();
                    instance = Math.Max(siblings.DefaultIfEmpty(0u).Max(), highestInstance.GetValueOrDefault(objectName)) + 1;
                    highestInstance[objectName] = instance;
                    // Like a real CPE, the new instance has every parameter of its object type, with defaults.
                    var template = siblings.Count > 0 ? $"{objectName}{siblings.Min()}." : null;
                    var columns = template is null ? [] : model.Where(p => p.Key.StartsWith(template, StringComparison.Ordinal)).ToList();
                    foreach (var (name, parameter) in columns)
                        model[$"{objectName}{instance}.{name[template!.Length..]}"] = new SimulatedParameter(DefaultOf(parameter.Type), parameter.Type, parameter.Writable, parameter.Secret);
                    if (columns.Count == 0) model[$"{objectName}{instance}.Enable"] = new SimulatedParameter("false", CpeDataModel.Bool);
                    model[Root + "ManagementServer.ParameterKey"].Value = request.Field("ParameterKey");
                }
                return Respond("AddObjectResponse", c =>
                {
                    c.WriteElementString("InstanceNumber", instance.ToString(CultureInfo.InvariantCulture));
                    c.WriteElementString("Status", "0");
                });
            }
            case "DeleteObject":
            {
                var objectName = request.Field("ObjectName");
                lock (modelGate)
                {
                    var doomed = model.Keys.Where(k => k.StartsWith(objectName, StringComparison.Ordinal)).ToList();
                    if (doomed.Count == 0) return CpeEnvelopeWriter.Fault(ns, id, 9005, $"Invalid object {objectName}");
                    foreach (var k in doomed) model.Remove(k);
                    model[Root + "ManagementServer.ParameterKey"].Value = request.Field("ParameterKey");
                }
                return Respond("DeleteObjectResponse", c => c.WriteElementString("Status", "0"));
            }
            case "Reboot":
                followUpAfterSession = new FollowUp([("1 BOOT", ""), ("M Reboot", request.Field("CommandKey"))], TimeSpan.FromMilliseconds(50));
                return Respond("RebootResponse");
            case "FactoryReset":
                // Reset when the session is over (its remaining RPCs still see the old model), then bootstrap anew.
                followUpAfterSession = new FollowUp([("0 BOOTSTRAP", ""), ("1 BOOT", "")], TimeSpan.FromMilliseconds(50), FactoryReset: true);
                return Respond("FactoryResetResponse");
            case "Download" when Behavior.RefusesDownload is { } refusal:
                return CpeEnvelopeWriter.Fault(ns, id, refusal, FileTransfer.FaultText(refusal));
            case "Download" or "Upload":
            {
                var key = request.Field("CommandKey");
                var download = request.Method == "Download" ? DownloadRequestOf(request) : null;
                // Status 1: the transfer happens after this session; TransferComplete follows in a later one.
                followUpAfterSession = new FollowUp([("7 TRANSFER COMPLETE", ""), ("M " + request.Method, key)], TimeSpan.FromMilliseconds(50), key, download);
                return Respond(request.Method + "Response", c =>
                {
                    c.WriteElementString("Status", "1");
                    c.WriteElementString("StartTime", "0001-01-01T00:00:00Z");
                    c.WriteElementString("CompleteTime", "0001-01-01T00:00:00Z");
                });
            }
            case "ScheduleInform":
            {
                var delay = uint.TryParse(request.Field("DelaySeconds"), out var s) ? s : 0;
                followUpAfterSession = new FollowUp([("3 SCHEDULED", ""), ("M ScheduleInform", request.Field("CommandKey"))], TimeSpan.FromSeconds(delay));
                return Respond("ScheduleInformResponse");
            }
            case "GetRPCMethods":
                return Respond("GetRPCMethodsResponse", c =>
                {
                    c.WriteStartElement("MethodList");
                    c.WriteAttributeString("SOAP-ENC", "arrayType", CpeEnvelopeWriter.SoapEnc, $"xsd:string[{CpeMethods.Length}]");
                    foreach (var m in CpeMethods) c.WriteElementString("string", m);
                    c.WriteEndElement();
                });
            default:
                return CpeEnvelopeWriter.Fault(ns, id, 9000, $"Method {request.Method} not supported");
        }
    }

    private byte[] SetParameterValues(AcsMessage request, string ns, string? id)
    {
        var faults = new List<(string, uint, string)>();
        lock (modelGate)
        {
            foreach (var (name, value, _) in request.ParameterValues)
            {
                if (Behavior.ParameterFaults.TryGetValue(name, out var injected)) faults.Add((name, injected, FaultText(injected)));
                else if (!model.TryGetValue(name, out var p)) faults.Add((name, 9005, FaultText(9005)));
                else if (!p.Writable) faults.Add((name, 9008, FaultText(9008)));
                else if (!CpeDataModel.IsValid(p.Type, value)) faults.Add((name, 9007, FaultText(9007)));
            }
            if (faults.Count > 0) return CpeEnvelopeWriter.Fault(ns, id, 9003, "Invalid arguments", faults);
            foreach (var (name, value, _) in request.ParameterValues)
                if (!Behavior.IgnoredParameters.ContainsKey(name)) model[name].Value = value;
            // Stored only on success (TR-069 A.3.2.1).
            model[Root + "ManagementServer.ParameterKey"].Value = request.Field("ParameterKey");
        }
        var status = Behavior.ApplyAfterReboot ? "1" : "0";
        return CpeEnvelopeWriter.Write(ns, id, null, w => CpeEnvelopeWriter.Method(w, ns, "SetParameterValuesResponse", c => c.WriteElementString("Status", status)));
    }

    private static string FaultText(uint code) => code switch
    {
        9002 => "Internal error",
        9005 => "Invalid parameter name",
        9006 => "Invalid parameter type",
        9007 => "Invalid parameter value",
        9008 => "Attempt to set a non-writable parameter",
        _ => "Fault",
    };

    /// <summary>POSTs one envelope (or the empty POST), answering an auth challenge once; keeps the session cookie.</summary>
    private async Task<(HttpStatusCode Status, byte[] Body)> PostAsync(CookieContainer cookies, byte[] envelope, CancellationToken cancellationToken)
    {
        var acs = Options.AcsUrl;
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, acs);
            request.Content = new ByteArrayContent(envelope);
            if (envelope.Length > 0) request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/xml") { CharSet = "utf-8" };
            var cookieHeader = cookies.GetCookieHeader(acs);
            if (cookieHeader.Length > 0) request.Headers.TryAddWithoutValidation("Cookie", cookieHeader);
            Authorize(request);

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Options.RequestTimeout);
            using var response = await http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
                foreach (var c in setCookies) cookies.SetCookies(acs, c);
            if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0 && Options.Username is not null && Challenged(response))
                continue;
            var body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            return (response.StatusCode, body);
        }
    }

    private bool Challenged(HttpResponseMessage response)
    {
        foreach (var challenge in response.Headers.WwwAuthenticate)
        {
            if (challenge.Scheme.Equals("Digest", StringComparison.OrdinalIgnoreCase) && Options.AuthScheme != CpeAuthScheme.Basic)
            {
                digestChallenge = DigestCredentials.Parse(challenge.Parameter ?? "");
                digestCount = 0;
                return true;
            }
        }
        if (Options.AuthScheme != CpeAuthScheme.Digest && response.Headers.WwwAuthenticate.Any(c => c.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase)))
        {
            basicChallenged = true;
            return true;
        }
        return false;
    }

    private void Authorize(HttpRequestMessage request)
    {
        if (Options.Username is not { } user) return;
        var password = Options.Password ?? "";
        if (digestChallenge is not null && Options.AuthScheme != CpeAuthScheme.Basic)
        {
            request.Headers.TryAddWithoutValidation("Authorization",
                DigestCredentials.Authorization(digestChallenge, user, password, "POST", Options.AcsUrl.PathAndQuery, Interlocked.Increment(ref digestCount)));
        }
        else if (Options.AuthScheme == CpeAuthScheme.Basic || basicChallenged)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        }
    }
}
