using System.Globalization;
using System.Text;
using System.Xml;
using Provisioning.Southbound.Cwmp.Methods;

namespace Provisioning.Southbound.Cwmp.Soap;

/// <summary>Bounds for one envelope. Defaults fit any real CPE (TR-069 asks for at least 32 KiB).</summary>
public sealed record CwmpReaderLimits
{
    public static readonly CwmpReaderLimits Default = new();

    /// <summary>Characters in the whole document (after decoding), entities included.</summary>
    public long MaxCharacters { get; init; } = 1024 * 1024;

    /// <summary>Element nesting; a CWMP envelope needs about 8.</summary>
    public int MaxDepth { get; init; } = 32;
}

/// <summary>
/// Forward-only parser of CWMP envelopes (no document tree). Lenient where field CPEs are sloppy: any
/// namespace prefixes, any cwmp namespace version, unqualified or qualified children, missing xsi:type,
/// arrayType sizes that do not match, whitespace around values. Strict where input is hostile: no DTD,
/// no external resolution, bounded size and depth. Anything unacceptable becomes a <see cref="CwmpProtocolException"/>.
/// </summary>
public static partial class CwmpReader
{
    public static CwmpEnvelope Read(Stream input, CwmpReaderLimits? limits = null)
    {
        limits ??= CwmpReaderLimits.Default;
        try
        {
            using var xml = XmlReader.Create(input, SettingsFor(limits));
            var reader = new Cursor(xml, limits.MaxDepth);
            var envelope = reader.ReadEnvelope();
            // Drain to the end so trailing garbage or a truncated document is noticed, not ignored.
            while (xml.Read()) reader.CheckDepth();
            return envelope;
        }
        catch (XmlException ex) when (ex.Message.Contains("MaxCharacters", StringComparison.Ordinal))
        {
            throw new CwmpProtocolException(AcsFaultCode.ResourcesExceeded, "Envelope too large", ex);
        }
        catch (XmlException ex)
        {
            throw new CwmpProtocolException(AcsFaultCode.InvalidArguments, $"Malformed XML: {ex.Message}", ex);
        }
        // ArgumentException: XmlReader itself throws ArgumentOutOfRangeException on some broken declarations (a U+FFFE
        // inside the version switched its decoder mid-buffer; found by the fuzz campaign).
        catch (Exception ex) when (ex is FormatException or OverflowException or InvalidOperationException or DecoderFallbackException or ArgumentException)
        {
            throw new CwmpProtocolException(AcsFaultCode.InvalidArguments, $"Invalid envelope: {ex.Message}", ex);
        }
    }

    public static CwmpEnvelope Read(ReadOnlyMemory<byte> input, CwmpReaderLimits? limits = null)
    {
        // Some CPE stacks write a line break before the XML declaration (after a byte order mark, if any), which
        // XML forbids (the declaration must come first) and XmlReader refuses; the rest of such an envelope is
        // fine, so the blanks are skipped (and the mark with them: UTF-8 is the default).
        var bom = input.Span.StartsWith("\uFEFF"u8) ? 3 : 0;
        var blanks = input.Span[bom..].IndexOfAnyExcept(" \t\r\n"u8);
        if (blanks > 0) input = input[(bom + blanks)..];
        using var stream = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(input, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(input.ToArray(), writable: false);
        return Read(stream, limits);
    }

    private static readonly XmlReaderSettings DefaultSettings = CreateSettings(CwmpReaderLimits.Default.MaxCharacters);

    private static XmlReaderSettings SettingsFor(CwmpReaderLimits limits) =>
        limits.MaxCharacters == CwmpReaderLimits.Default.MaxCharacters ? DefaultSettings : CreateSettings(limits.MaxCharacters);

    private static XmlReaderSettings CreateSettings(long maxCharacters) => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = maxCharacters,
        MaxCharactersFromEntities = 1024,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = true,
        CloseInput = false,
    };

    private static CwmpProtocolException Invalid(string message) => new(AcsFaultCode.InvalidArguments, message);

    /// <summary>Wraps the XmlReader with the element-walking helpers every method parser uses.</summary>
    private readonly partial struct Cursor(XmlReader r, int maxDepth)
    {
        public void CheckDepth()
        {
            if (r.Depth > maxDepth) throw new CwmpProtocolException(AcsFaultCode.ResourcesExceeded, $"Envelope nested deeper than {maxDepth} elements");
        }

        /// <summary>On a start element: steps inside it. Returns its depth, or -1 for an empty element (already consumed).</summary>
        private int Enter()
        {
            if (r.IsEmptyElement)
            {
                r.Read();
                return -1;
            }
            var depth = r.Depth;
            r.Read();
            return depth;
        }

        /// <summary>Moves to the next child element of the element entered at <paramref name="depth"/>; false (and past its end) when none is left.</summary>
        private bool NextChild(int depth)
        {
            if (depth < 0) return false;
            while (true)
            {
                switch (r.NodeType)
                {
                    case XmlNodeType.Element:
                        CheckDepth();
                        return true;
                    case XmlNodeType.EndElement when r.Depth == depth:
                        r.Read();
                        return false;
                    case XmlNodeType.None:
                        throw Invalid("Truncated envelope");
                    default:
                        // Stray text (mixed content) or an end tag deeper than ours: step over it.
                        if (!r.Read()) throw Invalid("Truncated envelope");
                        break;
                }
            }
        }

        /// <summary>Skips the current element with the depth bound enforced (XmlReader.Skip would not check it).</summary>
        private void Skip()
        {
            if (r.IsEmptyElement)
            {
                r.Read();
                return;
            }
            var depth = r.Depth;
            while (r.Read())
            {
                if (r.NodeType == XmlNodeType.Element) CheckDepth();
                else if (r.NodeType == XmlNodeType.EndElement && r.Depth == depth)
                {
                    r.Read();
                    return;
                }
            }
            throw Invalid("Truncated envelope");
        }

        private string Text() => r.ReadElementContentAsString();

        private string TrimmedText() => r.ReadElementContentAsString().Trim();

        private int Int()
        {
            var text = TrimmedText();
            return text.Length == 0 ? 0 : int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture);
        }

        private uint UInt()
        {
            var text = TrimmedText();
            return text.Length == 0 ? 0 : uint.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture);
        }

        private ulong ULong()
        {
            var text = TrimmedText();
            return text.Length == 0 ? 0 : ulong.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture);
        }

        private bool Bool()
        {
            var text = TrimmedText();
            return text switch
            {
                "1" or "true" or "True" or "TRUE" => true,
                "0" or "false" or "False" or "FALSE" or "" => false,
                _ => throw Invalid($"'{Truncate(text)}' is not a boolean"),
            };
        }

        private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";

        /// <summary>Reads the items of a SOAP array (whatever the item element names; arrayType is not trusted).</summary>
        private List<T> Array<T>(Func<Cursor, T> item)
        {
            var items = new List<T>();
            var depth = Enter();
            while (NextChild(depth)) items.Add(item(this));
            return items;
        }

        public CwmpEnvelope ReadEnvelope()
        {
            if (r.MoveToContent() != XmlNodeType.Element || r.LocalName != "Envelope")
                throw Invalid("The document is not a SOAP Envelope");
            // SOAP 1.1 §4.4.1: an Envelope in another namespace (SOAP 1.2's, a typo) is another version of SOAP. One in no
            // namespace at all is a sloppy stack's SOAP 1.1, taken like its other sloppiness.
            if (r.NamespaceURI.Length > 0 && r.NamespaceURI != CwmpNamespaces.SoapEnvelope)
                throw new CwmpProtocolException(AcsFaultCode.InvalidArguments, "The Envelope is not in the SOAP 1.1 namespace") { SoapFaultCode = "VersionMismatch" };
            string? cwmpNs = null;
            var header = CwmpHeader.Empty;
            CwmpMessage? body = null;
            var depth = Enter();
            while (NextChild(depth))
            {
                switch (r.LocalName)
                {
                    case "Header": header = ReadHeader(ref cwmpNs); break;
                    case "Body": body = ReadBody(ref cwmpNs); break;
                    default: Skip(); break;
                }
            }
            return new CwmpEnvelope(cwmpNs ?? CwmpNamespaces.Cwmp10, header, body);
        }

        private CwmpHeader ReadHeader(ref string? cwmpNs)
        {
            var header = CwmpHeader.Empty;
            var depth = Enter();
            while (NextChild(depth))
            {
                CheckCwmpNamespace(r.NamespaceURI);
                if (CwmpNamespaces.IsCwmp(r.NamespaceURI)) cwmpNs ??= CwmpNamespaces.Normalize(r.NamespaceURI);
                if (!CwmpNamespaces.IsUnderstoodHeader(r.NamespaceURI, r.LocalName) && MustUnderstand())
                    // SOAP 1.1 §4.2.3: a mandatory header the receiver does not understand fails the whole message.
                    throw new CwmpProtocolException(AcsFaultCode.InvalidArguments, "A header with mustUnderstand=\"1\" that this ACS does not understand")
                    { SoapFaultCode = "MustUnderstand" };
                switch (r.LocalName)
                {
                    case "ID": header = header with { Id = TrimmedText() }; break;
                    case "HoldRequests": header = header with { HoldRequests = Bool() }; break;
                    case "SupportedCWMPVersions": header = header with { SupportedCwmpVersions = TrimmedText() }; break;
                    case "UseCWMPVersion": header = header with { UseCwmpVersion = TrimmedText() }; break;
                    case "SessionTimeout": header = header with { SessionTimeout = Int() }; break;
                    default: Skip(); break;
                }
            }
            return header;
        }

        /// <summary>On a header element: whether its SOAP mustUnderstand attribute is "1" (or "true", as some stacks write).</summary>
        private bool MustUnderstand() => r.GetAttribute("mustUnderstand", CwmpNamespaces.SoapEnvelope)?.Trim() is "1" or "true";

        /// <summary>
        /// A cwmp namespace this ACS does not know (a version it does not speak, a typo) is refused rather than taken
        /// and echoed back in the answers, which the CPE would then read as the ACS speaking that version.
        /// </summary>
        private static void CheckCwmpNamespace(string ns)
        {
            if (CwmpNamespaces.LooksLikeCwmp(ns) && !CwmpNamespaces.IsCwmp(ns))
                throw new CwmpProtocolException(AcsFaultCode.VersionIncompatible, "Unknown cwmp namespace: this ACS speaks cwmp-1-0, cwmp-1-1 and cwmp-1-2");
        }

        private CwmpMessage? ReadBody(ref string? cwmpNs)
        {
            CwmpMessage? message = null;
            var depth = Enter();
            while (NextChild(depth))
            {
                if (message is not null)
                {
                    Skip(); // MaxEnvelopes is 1 and a body holds one method: extra elements are ignored.
                    continue;
                }
                CheckCwmpNamespace(r.NamespaceURI);
                if (CwmpNamespaces.IsCwmp(r.NamespaceURI)) cwmpNs = CwmpNamespaces.Normalize(r.NamespaceURI);
                message = ReadMethod(ref cwmpNs);
            }
            return message;
        }

        private CwmpMessage ReadMethod(ref string? cwmpNs) => r.LocalName switch
        {
            "Inform" => ReadInform(),
            "InformResponse" => new InformResponse(ReadSingle("MaxEnvelopes", static c => c.Int())),
            "TransferComplete" => ReadTransferComplete(),
            "TransferCompleteResponse" => Empty(new TransferCompleteResponse()),
            "AutonomousTransferComplete" => ReadAutonomousTransferComplete(),
            "AutonomousTransferCompleteResponse" => Empty(new AutonomousTransferCompleteResponse()),
            "RequestDownload" => ReadRequestDownload(),
            "RequestDownloadResponse" => Empty(new RequestDownloadResponse()),
            "GetRPCMethods" => Empty(new GetRpcMethods()),
            "GetRPCMethodsResponse" => new GetRpcMethodsResponse(ReadSingle("MethodList", static c => c.Array(static i => i.Text())) ?? []),
            "GetParameterNames" => ReadGetParameterNames(),
            "GetParameterNamesResponse" => new GetParameterNamesResponse(ReadSingle("ParameterList", static c => c.Array(static i => i.ReadParameterInfo())) ?? []),
            "GetParameterValues" => new GetParameterValues(ReadSingle("ParameterNames", static c => c.Array(static i => i.TrimmedText())) ?? []),
            "GetParameterValuesResponse" => new GetParameterValuesResponse(ReadSingle("ParameterList", static c => c.Array(static i => i.ReadParameterValue())) ?? []),
            "SetParameterValues" => ReadSetParameterValues(),
            "SetParameterValuesResponse" => new SetParameterValuesResponse(ReadSingle("Status", static c => c.Int())),
            "GetParameterAttributes" => new GetParameterAttributes(ReadSingle("ParameterNames", static c => c.Array(static i => i.TrimmedText())) ?? []),
            "GetParameterAttributesResponse" => new GetParameterAttributesResponse(ReadSingle("ParameterList", static c => c.Array(static i => i.ReadParameterAttribute())) ?? []),
            "SetParameterAttributes" => new SetParameterAttributes(ReadSingle("ParameterList", static c => c.Array(static i => i.ReadSetParameterAttribute())) ?? []),
            "SetParameterAttributesResponse" => Empty(new SetParameterAttributesResponse()),
            "AddObject" => ReadObjectRequest(static (name, key) => new AddObject(name, key)),
            "AddObjectResponse" => ReadAddObjectResponse(),
            "DeleteObject" => ReadObjectRequest(static (name, key) => new DeleteObject(name, key)),
            "DeleteObjectResponse" => new DeleteObjectResponse(ReadSingle("Status", static c => c.Int())),
            "Reboot" => new Reboot(ReadSingle("CommandKey", static c => c.Text()) ?? ""),
            "RebootResponse" => Empty(new RebootResponse()),
            "FactoryReset" => Empty(new FactoryReset()),
            "FactoryResetResponse" => Empty(new FactoryResetResponse()),
            "Download" => ReadDownload(),
            "DownloadResponse" => ReadTransferResponse(static (s, st, ct) => new DownloadResponse(s, st, ct)),
            "Upload" => ReadUpload(),
            "UploadResponse" => ReadTransferResponse(static (s, st, ct) => new UploadResponse(s, st, ct)),
            "ScheduleInform" => ReadScheduleInform(),
            "ScheduleInformResponse" => Empty(new ScheduleInformResponse()),
            "Fault" => ReadSoapFault(ref cwmpNs),
            var other => throw new CwmpProtocolException(AcsFaultCode.MethodNotSupported, $"Method '{Truncate(other)}' is not supported"),
        };

        private T Empty<T>(T message)
        {
            Skip();
            return message;
        }

        /// <summary>Reads a method with one interesting child; default when it is absent.</summary>
        private T? ReadSingle<T>(string child, Func<Cursor, T> read)
        {
            T? value = default;
            var depth = Enter();
            while (NextChild(depth))
            {
                if (r.LocalName == child) value = read(this);
                else Skip();
            }
            return value;
        }

        private Inform ReadInform()
        {
            DeviceIdStruct deviceId = default;
            List<EventStruct>? events = null;
            List<ParameterValueStruct>? parameters = null;
            int maxEnvelopes = 1, retryCount = 0;
            var currentTime = "";
            var depth = Enter();
            while (NextChild(depth))
            {
                switch (r.LocalName)
                {
                    case "DeviceId": deviceId = ReadDeviceId(); break;
                    case "Event": events = Array(static c => c.ReadEvent()); break;
                    case "MaxEnvelopes": maxEnvelopes = Int(); break;
                    case "CurrentTime": currentTime = TrimmedText(); break;
                    case "RetryCount": retryCount = Int(); break;
                    case "ParameterList": parameters = Array(static c => c.ReadParameterValue()); break;
                    default: Skip(); break;
                }
            }
            if (string.IsNullOrEmpty(deviceId.SerialNumber)) throw Invalid("Inform without DeviceId/SerialNumber");
            return new Inform(deviceId, events ?? [], maxEnvelopes, currentTime, retryCount, parameters ?? []);
        }

        private DeviceIdStruct ReadDeviceId()
        {
            string manufacturer = "", oui = "", productClass = "", serial = "";
            var depth = Enter();
            while (NextChild(depth))
            {
                switch (r.LocalName)
                {
                    case "Manufacturer": manufacturer = TrimmedText(); break;
                    case "OUI": oui = TrimmedText(); break;
                    case "ProductClass": productClass = TrimmedText(); break;
                    case "SerialNumber": serial = TrimmedText(); break;
                    default: Skip(); break;
                }
            }
            return new DeviceIdStruct(manufacturer, oui, productClass, serial);
        }

        private EventStruct ReadEvent()
        {
            string code = "", key = "";
            var depth = Enter();
            while (NextChild(depth))
            {
                switch (r.LocalName)
                {
                    case "EventCode": code = TrimmedText(); break;
                    case "CommandKey": key = Text(); break;
                    default: Skip(); break;
                }
            }
            return new EventStruct(code, key);
        }

        private ParameterValueStruct ReadParameterValue()
        {
            string name = "", value = "";
            string? type = null;
            var depth = Enter();
            while (NextChild(depth))
            {
                switch (r.LocalName)
                {
                    case "Name": name = TrimmedText(); break;
                    case "Value":
                        type = r.GetAttribute("type", CwmpNamespaces.Xsi);
                        value = Text();
                        break;
                    default: Skip(); break;
                }
            }
            return new ParameterValueStruct(name, value, type);
        }

        private ParameterInfoStruct ReadParameterInfo()
        {
            var name = "";
            var writable = false;
            var depth = Enter();
            while (NextChild(depth))
            {
                switch (r.LocalName)
                {
                    case "Name": name = TrimmedText(); break;
                    case "Writable": writable = Bool(); break;
                    default: Skip(); break;
                }
            }
            return new ParameterInfoStruct(name, writable);
        }

        private ParameterAttributeStruct ReadParameterAttribute()
        {
            var name = "";
            var notification = 0;
            IReadOnlyList<string> access = [];
            var depth = Enter();
            while (NextChild(depth))
            {
                switch (r.LocalName)
                {
                    case "Name": name = TrimmedText(); break;
                    case "Notification": notification = Int(); break;
                    case "AccessList": access = Array(static c => c.TrimmedText()); break;
                    default: Skip(); break;
                }
            }
            return new ParameterAttributeStruct(name, notification, access);
        }

        private SetParameterAttributesStruct ReadSetParameterAttribute()
        {
            var name = "";
            bool notificationChange = false, accessChange = false;
            var notification = 0;
            IReadOnlyList<string> access = [];
            var depth = Enter();
            while (NextChild(depth))
            {
                switch (r.LocalName)
                {
                    case "Name": name = TrimmedText(); break;
                    case "NotificationChange": notificationChange = Bool(); break;
                    case "Notification": notification = Int(); break;
                    case "AccessListChange": accessChange = Bool(); break;
                    case "AccessList": access = Array(static c => c.TrimmedText()); break;
                    default: Skip(); break;
                }
            }
            return new SetParameterAttributesStruct(name, notificationChange, notification, accessChange, access);
        }

        /// <summary>A FaultStruct must name its FaultCode: a missing or empty one would otherwise read as 0, success.</summary>
        private FaultStruct ReadFaultStruct()
        {
            uint? code = null;
            var text = "";
            var depth = Enter();
            while (NextChild(depth))
            {
                switch (r.LocalName)
                {
                    case "FaultCode":
                        var value = TrimmedText();
                        code = value.Length == 0 ? throw Invalid("FaultStruct has an empty FaultCode")
                            : uint.Parse(value, NumberStyles.Integer, CultureInfo.InvariantCulture);
                        break;
                    case "FaultString": text = Text(); break;
                    default: Skip(); break;
                }
            }
            return new FaultStruct(code ?? throw Invalid("FaultStruct lacks FaultCode"), text);
        }

        /// <summary>CommandKey and FaultStruct are required: without them the report says neither which transfer nor how it ended.</summary>
        private TransferComplete ReadTransferComplete()
        {
            string? key = null;
            string start = "", complete = "";
            FaultStruct? fault = null;
            var depth = Enter();
            while (NextChild(depth))
            {
                switch (r.LocalName)
                {
                    case "CommandKey": key = Text(); break;
                    case "FaultStruct": fault = ReadFaultStruct(); break;
                    case "StartTime": start = TrimmedText(); break;
                    case "CompleteTime": complete = TrimmedText(); break;
                    default: Skip(); break;
                }
            }
            return new TransferComplete(key ?? throw Invalid("TransferComplete lacks CommandKey"),
                fault ?? throw Invalid("TransferComplete lacks FaultStruct"), start, complete);
        }

        private AutonomousTransferComplete ReadAutonomousTransferComplete()
        {
            string announce = "", transfer = "", fileType = "", target = "", start = "", complete = "";
            var isDownload = false;
            ulong size = 0;
            FaultStruct fault = default;
            var depth = Enter();
            while (NextChild(depth))
            {
                switch (r.LocalName)
                {
                    case "AnnounceURL": announce = TrimmedText(); break;
                    case "TransferURL": transfer = TrimmedText(); break;
                    case "IsDownload": isDownload = Bool(); break;
                    case "FileType": fileType = TrimmedText(); break;
                    case "FileSize": size = ULong(); break;
                    case "TargetFileName": target = Text(); break;
                    case "FaultStruct": fault = ReadFaultStruct(); break;
                    case "StartTime": start = TrimmedText(); break;
                    case "CompleteTime": complete = TrimmedText(); break;
                    default: Skip(); break;
                }
            }
            return new AutonomousTransferComplete(announce, transfer, isDownload, fileType, size, target, fault, start, complete);
        }

        private RequestDownload ReadRequestDownload()
        {
            var fileType = "";
            IReadOnlyList<KeyValuePair<string, string>> args = [];
            var depth = Enter();
            while (NextChild(depth))
            {
                switch (r.LocalName)
                {
                    case "FileType": fileType = TrimmedText(); break;
                    case "FileTypeArg": args = Array(static c => c.ReadArgStruct()); break;
                    default: Skip(); break;
                }
            }
            return new RequestDownload(fileType, args);
        }

        private KeyValuePair<string, string> ReadArgStruct()
        {
            string name = "", value = "";
            var depth = Enter();
            while (NextChild(depth))
            {
                switch (r.LocalName)
                {
                    case "Name": name = TrimmedText(); break;
                    case "Value": value = Text(); break;
                    default: Skip(); break;
                }
            }
            return new(name, value);
        }

        private GetParameterNames ReadGetParameterNames()
        {
            var path = "";
            var nextLevel = false;
            var depth = Enter();
            while (NextChild(depth))
            {
                switch (r.LocalName)
                {
                    case "ParameterPath": path = TrimmedText(); break;
                    case "NextLevel": nextLevel = Bool(); break;
                    default: Skip(); break;
                }
            }
            return new GetParameterNames(path, nextLevel);
        }

        private SetParameterValues ReadSetParameterValues()
        {
            IReadOnlyList<ParameterValueStruct> list = [];
            var key = "";
            var depth = Enter();
            while (NextChild(depth))
            {
                switch (r.LocalName)
                {
                    case "ParameterList": list = Array(static c => c.ReadParameterValue()); break;
                    case "ParameterKey": key = Text(); break;
                    default: Skip(); break;
                }
            }
            return new SetParameterValues(list, key);
        }

        private T ReadObjectRequest<T>(Func<string, string, T> create)
        {
            string name = "", key = "";
            var depth = Enter();
            while (NextChild(depth))
            {
                switch (r.LocalName)
                {
                    case "ObjectName": name = TrimmedText(); break;
                    case "ParameterKey": key = Text(); break;
                    default: Skip(); break;
                }
            }
            return create(name, key);
        }

        private AddObjectResponse ReadAddObjectResponse()
        {
            uint instance = 0;
            var status = 0;
            var depth = Enter();
            while (NextChild(depth))
            {
                switch (r.LocalName)
                {
                    case "InstanceNumber": instance = UInt(); break;
                    case "Status": status = Int(); break;
                    default: Skip(); break;
                }
            }
            return new AddObjectResponse(instance, status);
        }

        private Download ReadDownload()
        {
            string key = "", fileType = "", url = "", user = "", password = "", target = "", success = "", failure = "";
            ulong size = 0;
            uint delay = 0;
            var depth = Enter();
            while (NextChild(depth))
            {
                switch (r.LocalName)
                {
                    case "CommandKey": key = Text(); break;
                    case "FileType": fileType = TrimmedText(); break;
                    case "URL": url = TrimmedText(); break;
                    case "Username": user = Text(); break;
                    case "Password": password = Text(); break;
                    case "FileSize": size = ULong(); break;
                    case "TargetFileName": target = Text(); break;
                    case "DelaySeconds": delay = UInt(); break;
                    case "SuccessURL": success = TrimmedText(); break;
                    case "FailureURL": failure = TrimmedText(); break;
                    default: Skip(); break;
                }
            }
            return new Download(key, fileType, url, user, password, size, target, delay, success, failure);
        }

        private Upload ReadUpload()
        {
            string key = "", fileType = "", url = "", user = "", password = "";
            uint delay = 0;
            var depth = Enter();
            while (NextChild(depth))
            {
                switch (r.LocalName)
                {
                    case "CommandKey": key = Text(); break;
                    case "FileType": fileType = TrimmedText(); break;
                    case "URL": url = TrimmedText(); break;
                    case "Username": user = Text(); break;
                    case "Password": password = Text(); break;
                    case "DelaySeconds": delay = UInt(); break;
                    default: Skip(); break;
                }
            }
            return new Upload(key, fileType, url, user, password, delay);
        }

        private T ReadTransferResponse<T>(Func<int, string, string, T> create)
        {
            var status = 0;
            string start = "", complete = "";
            var depth = Enter();
            while (NextChild(depth))
            {
                switch (r.LocalName)
                {
                    case "Status": status = Int(); break;
                    case "StartTime": start = TrimmedText(); break;
                    case "CompleteTime": complete = TrimmedText(); break;
                    default: Skip(); break;
                }
            }
            return create(status, start, complete);
        }

        private ScheduleInform ReadScheduleInform()
        {
            uint delay = 0;
            var key = "";
            var depth = Enter();
            while (NextChild(depth))
            {
                switch (r.LocalName)
                {
                    case "DelaySeconds": delay = UInt(); break;
                    case "CommandKey": key = Text(); break;
                    default: Skip(); break;
                }
            }
            return new ScheduleInform(delay, key);
        }

        private CwmpFault ReadSoapFault(ref string? cwmpNs)
        {
            var soapCode = "Client";
            var soapString = "";
            CwmpFault? detail = null;
            var depth = Enter();
            while (NextChild(depth))
            {
                switch (r.LocalName)
                {
                    case "faultcode":
                        var code = TrimmedText();
                        soapCode = code[(code.IndexOf(':') + 1)..];
                        break;
                    case "faultstring": soapString = Text(); break;
                    case "detail": detail = ReadFaultDetail(ref cwmpNs); break;
                    default: Skip(); break;
                }
            }
            return (detail ?? new CwmpFault(0, soapString, [])) with { SoapFaultCode = soapCode };
        }

        private CwmpFault? ReadFaultDetail(ref string? cwmpNs)
        {
            CwmpFault? fault = null;
            var depth = Enter();
            while (NextChild(depth))
            {
                if (fault is null && r.LocalName == "Fault")
                {
                    if (CwmpNamespaces.IsCwmp(r.NamespaceURI)) cwmpNs ??= CwmpNamespaces.Normalize(r.NamespaceURI);
                    fault = ReadCwmpFault();
                }
                else Skip();
            }
            return fault;
        }

        private CwmpFault ReadCwmpFault()
        {
            uint code = 0;
            var text = "";
            List<SetParameterValuesFault>? parameterFaults = null;
            var depth = Enter();
            while (NextChild(depth))
            {
                switch (r.LocalName)
                {
                    case "FaultCode": code = UInt(); break;
                    case "FaultString": text = Text(); break;
                    case "SetParameterValuesFault": (parameterFaults ??= []).Add(ReadSetParameterValuesFault()); break;
                    default: Skip(); break;
                }
            }
            return new CwmpFault(code, text, parameterFaults ?? (IReadOnlyList<SetParameterValuesFault>)[]);
        }

        private SetParameterValuesFault ReadSetParameterValuesFault()
        {
            var name = "";
            uint code = 0;
            var text = "";
            var depth = Enter();
            while (NextChild(depth))
            {
                switch (r.LocalName)
                {
                    case "ParameterName": name = TrimmedText(); break;
                    case "FaultCode": code = UInt(); break;
                    case "FaultString": text = Text(); break;
                    default: Skip(); break;
                }
            }
            return new SetParameterValuesFault(name, code, text);
        }
    }
}
