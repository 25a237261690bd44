using System.Globalization;
using System.Text;
using System.Xml;
using Provisioning.Southbound.Cwmp.Methods;

namespace Provisioning.Southbound.Cwmp.Soap;

/// <summary>
/// Writes envelopes in the most conventional form field CPEs expect: one envelope, prefixes
/// soap-env / soap-enc / xsd / xsi / cwmp declared on the Envelope, unqualified method children,
/// soap-enc:arrayType on every array, xsi:type on every value, no XML declaration.
/// </summary>
public static class CwmpWriter
{
    private static readonly XmlWriterSettings Settings = new()
    {
        Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        Indent = false,
        CloseOutput = false,
        // The declaration is optional (XML 1.0 §2.8) and some fragile CPE stacks refuse any message that starts with one.
        OmitXmlDeclaration = true,
    };

    public static void Write(Stream output, CwmpEnvelope envelope)
    {
        using var w = XmlWriter.Create(output, Settings);
        var ns = envelope.CwmpNamespace;
        w.WriteStartDocument();
        w.WriteStartElement("soap-env", "Envelope", CwmpNamespaces.SoapEnvelope);
        w.WriteAttributeString("xmlns", "soap-enc", null, CwmpNamespaces.SoapEncoding);
        w.WriteAttributeString("xmlns", "xsd", null, CwmpNamespaces.Xsd);
        w.WriteAttributeString("xmlns", "xsi", null, CwmpNamespaces.Xsi);
        w.WriteAttributeString("xmlns", "cwmp", null, ns);
        WriteHeader(w, envelope.Header, ns);
        w.WriteStartElement("soap-env", "Body", CwmpNamespaces.SoapEnvelope);
        if (envelope.Body is { } body) WriteMethod(w, body, ns);
        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteEndDocument();
    }

    public static byte[] ToBytes(CwmpEnvelope envelope)
    {
        using var stream = new MemoryStream(1024);
        Write(stream, envelope);
        return stream.ToArray();
    }

    private static void WriteHeader(XmlWriter w, CwmpHeader header, string ns)
    {
        if (header.Id is null && header.HoldRequests is null && header.UseCwmpVersion is null
            && header.SupportedCwmpVersions is null && header.SessionTimeout is null) return;
        w.WriteStartElement("soap-env", "Header", CwmpNamespaces.SoapEnvelope);
        if (header.Id is { } id) MustUnderstand(w, "ID", id, ns);
        if (header.HoldRequests is { } hold) MustUnderstand(w, "HoldRequests", hold ? "1" : "0", ns);
        if (header.UseCwmpVersion is { } use) MustUnderstand(w, "UseCWMPVersion", use, ns);
        if (header.SupportedCwmpVersions is { } supported)
        {
            w.WriteStartElement("cwmp", "SupportedCWMPVersions", ns);
            w.WriteAttributeString("soap-env", "mustUnderstand", CwmpNamespaces.SoapEnvelope, "0");
            w.WriteString(supported);
            w.WriteEndElement();
        }
        if (header.SessionTimeout is { } timeout)
        {
            w.WriteStartElement("cwmp", "SessionTimeout", ns);
            w.WriteAttributeString("soap-env", "mustUnderstand", CwmpNamespaces.SoapEnvelope, "0");
            w.WriteString(timeout.ToString(CultureInfo.InvariantCulture));
            w.WriteEndElement();
        }
        w.WriteEndElement();
    }

    private static void MustUnderstand(XmlWriter w, string name, string value, string ns)
    {
        w.WriteStartElement("cwmp", name, ns);
        w.WriteAttributeString("soap-env", "mustUnderstand", CwmpNamespaces.SoapEnvelope, "1");
        w.WriteString(value);
        w.WriteEndElement();
    }

    private static void WriteMethod(XmlWriter w, CwmpMessage message, string ns)
    {
        if (message is CwmpFault fault)
        {
            WriteFault(w, fault, ns);
            return;
        }
        w.WriteStartElement("cwmp", message.MethodName, ns);
        switch (message)
        {
            case Inform m:
                w.WriteStartElement("DeviceId");
                w.WriteElementString("Manufacturer", m.DeviceId.Manufacturer);
                w.WriteElementString("OUI", m.DeviceId.Oui);
                w.WriteElementString("ProductClass", m.DeviceId.ProductClass);
                w.WriteElementString("SerialNumber", m.DeviceId.SerialNumber);
                w.WriteEndElement();
                StartArray(w, "Event", "cwmp:EventStruct", m.Events.Count);
                foreach (var e in m.Events)
                {
                    w.WriteStartElement("EventStruct");
                    w.WriteElementString("EventCode", e.EventCode);
                    w.WriteElementString("CommandKey", e.CommandKey);
                    w.WriteEndElement();
                }
                w.WriteEndElement();
                Int(w, "MaxEnvelopes", m.MaxEnvelopes);
                w.WriteElementString("CurrentTime", m.CurrentTime);
                Int(w, "RetryCount", m.RetryCount);
                WriteParameterValues(w, m.ParameterList);
                break;
            case InformResponse m:
                Int(w, "MaxEnvelopes", m.MaxEnvelopes);
                break;
            case TransferComplete m:
                w.WriteElementString("CommandKey", m.CommandKey);
                WriteFaultStruct(w, m.Fault);
                w.WriteElementString("StartTime", m.StartTime);
                w.WriteElementString("CompleteTime", m.CompleteTime);
                break;
            case AutonomousTransferComplete m:
                w.WriteElementString("AnnounceURL", m.AnnounceUrl);
                w.WriteElementString("TransferURL", m.TransferUrl);
                w.WriteElementString("IsDownload", m.IsDownload ? "1" : "0");
                w.WriteElementString("FileType", m.FileType);
                w.WriteElementString("FileSize", m.FileSize.ToString(CultureInfo.InvariantCulture));
                w.WriteElementString("TargetFileName", m.TargetFileName);
                WriteFaultStruct(w, m.Fault);
                w.WriteElementString("StartTime", m.StartTime);
                w.WriteElementString("CompleteTime", m.CompleteTime);
                break;
            case RequestDownload m:
                w.WriteElementString("FileType", m.FileType);
                StartArray(w, "FileTypeArg", "cwmp:ArgStruct", m.FileTypeArg.Count);
                foreach (var arg in m.FileTypeArg)
                {
                    w.WriteStartElement("ArgStruct");
                    w.WriteElementString("Name", arg.Key);
                    w.WriteElementString("Value", arg.Value);
                    w.WriteEndElement();
                }
                w.WriteEndElement();
                break;
            case GetRpcMethodsResponse m:
                WriteStrings(w, "MethodList", m.MethodList);
                break;
            case GetParameterNames m:
                w.WriteElementString("ParameterPath", m.ParameterPath);
                w.WriteElementString("NextLevel", m.NextLevel ? "1" : "0");
                break;
            case GetParameterNamesResponse m:
                StartArray(w, "ParameterList", "cwmp:ParameterInfoStruct", m.ParameterList.Count);
                foreach (var p in m.ParameterList)
                {
                    w.WriteStartElement("ParameterInfoStruct");
                    w.WriteElementString("Name", p.Name);
                    w.WriteElementString("Writable", p.Writable ? "1" : "0");
                    w.WriteEndElement();
                }
                w.WriteEndElement();
                break;
            case GetParameterValues m:
                WriteStrings(w, "ParameterNames", m.ParameterNames);
                break;
            case GetParameterValuesResponse m:
                WriteParameterValues(w, m.ParameterList);
                break;
            case SetParameterValues m:
                WriteParameterValues(w, m.ParameterList);
                w.WriteElementString("ParameterKey", m.ParameterKey);
                break;
            case SetParameterValuesResponse m:
                Int(w, "Status", m.Status);
                break;
            case GetParameterAttributes m:
                WriteStrings(w, "ParameterNames", m.ParameterNames);
                break;
            case GetParameterAttributesResponse m:
                StartArray(w, "ParameterList", "cwmp:ParameterAttributeStruct", m.ParameterList.Count);
                foreach (var p in m.ParameterList)
                {
                    w.WriteStartElement("ParameterAttributeStruct");
                    w.WriteElementString("Name", p.Name);
                    Int(w, "Notification", p.Notification);
                    WriteStrings(w, "AccessList", p.AccessList);
                    w.WriteEndElement();
                }
                w.WriteEndElement();
                break;
            case SetParameterAttributes m:
                StartArray(w, "ParameterList", "cwmp:SetParameterAttributesStruct", m.ParameterList.Count);
                foreach (var p in m.ParameterList)
                {
                    w.WriteStartElement("SetParameterAttributesStruct");
                    w.WriteElementString("Name", p.Name);
                    w.WriteElementString("NotificationChange", p.NotificationChange ? "1" : "0");
                    Int(w, "Notification", p.Notification);
                    w.WriteElementString("AccessListChange", p.AccessListChange ? "1" : "0");
                    WriteStrings(w, "AccessList", p.AccessList);
                    w.WriteEndElement();
                }
                w.WriteEndElement();
                break;
            case AddObject m:
                w.WriteElementString("ObjectName", m.ObjectName);
                w.WriteElementString("ParameterKey", m.ParameterKey);
                break;
            case AddObjectResponse m:
                w.WriteElementString("InstanceNumber", m.InstanceNumber.ToString(CultureInfo.InvariantCulture));
                Int(w, "Status", m.Status);
                break;
            case DeleteObject m:
                w.WriteElementString("ObjectName", m.ObjectName);
                w.WriteElementString("ParameterKey", m.ParameterKey);
                break;
            case DeleteObjectResponse m:
                Int(w, "Status", m.Status);
                break;
            case Reboot m:
                w.WriteElementString("CommandKey", m.CommandKey);
                break;
            case Download m:
                w.WriteElementString("CommandKey", m.CommandKey);
                w.WriteElementString("FileType", m.FileType);
                w.WriteElementString("URL", m.Url);
                w.WriteElementString("Username", m.Username);
                w.WriteElementString("Password", m.Password);
                w.WriteElementString("FileSize", m.FileSize.ToString(CultureInfo.InvariantCulture));
                w.WriteElementString("TargetFileName", m.TargetFileName);
                w.WriteElementString("DelaySeconds", m.DelaySeconds.ToString(CultureInfo.InvariantCulture));
                w.WriteElementString("SuccessURL", m.SuccessUrl);
                w.WriteElementString("FailureURL", m.FailureUrl);
                break;
            case DownloadResponse m:
                WriteTransferResponse(w, m.Status, m.StartTime, m.CompleteTime);
                break;
            case Upload m:
                w.WriteElementString("CommandKey", m.CommandKey);
                w.WriteElementString("FileType", m.FileType);
                w.WriteElementString("URL", m.Url);
                w.WriteElementString("Username", m.Username);
                w.WriteElementString("Password", m.Password);
                w.WriteElementString("DelaySeconds", m.DelaySeconds.ToString(CultureInfo.InvariantCulture));
                break;
            case UploadResponse m:
                WriteTransferResponse(w, m.Status, m.StartTime, m.CompleteTime);
                break;
            case ScheduleInform m:
                w.WriteElementString("DelaySeconds", m.DelaySeconds.ToString(CultureInfo.InvariantCulture));
                w.WriteElementString("CommandKey", m.CommandKey);
                break;
            // Methods without arguments: GetRPCMethods, FactoryReset and the empty responses.
        }
        w.WriteEndElement();
    }

    private static void WriteFault(XmlWriter w, CwmpFault fault, string ns)
    {
        w.WriteStartElement("soap-env", "Fault", CwmpNamespaces.SoapEnvelope);
        w.WriteElementString("faultcode", fault.SoapFaultCode);
        w.WriteElementString("faultstring", "CWMP fault");
        w.WriteStartElement("detail");
        w.WriteStartElement("cwmp", "Fault", ns);
        w.WriteElementString("FaultCode", fault.FaultCode.ToString(CultureInfo.InvariantCulture));
        w.WriteElementString("FaultString", fault.FaultString);
        foreach (var p in fault.ParameterFaults)
        {
            w.WriteStartElement("SetParameterValuesFault");
            w.WriteElementString("ParameterName", p.ParameterName);
            w.WriteElementString("FaultCode", p.FaultCode.ToString(CultureInfo.InvariantCulture));
            w.WriteElementString("FaultString", p.FaultString);
            w.WriteEndElement();
        }
        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteEndElement();
    }

    private static void StartArray(XmlWriter w, string name, string itemType, int count)
    {
        w.WriteStartElement(name);
        w.WriteStartAttribute("soap-enc", "arrayType", CwmpNamespaces.SoapEncoding);
        w.WriteString(itemType);
        w.WriteString("[");
        w.WriteString(count.ToString(CultureInfo.InvariantCulture));
        w.WriteString("]");
        w.WriteEndAttribute();
    }

    private static void WriteStrings(XmlWriter w, string name, IReadOnlyList<string> items)
    {
        StartArray(w, name, "xsd:string", items.Count);
        foreach (var item in items) w.WriteElementString("string", item);
        w.WriteEndElement();
    }

    private static void WriteParameterValues(XmlWriter w, IReadOnlyList<ParameterValueStruct> parameters)
    {
        StartArray(w, "ParameterList", "cwmp:ParameterValueStruct", parameters.Count);
        foreach (var p in parameters)
        {
            w.WriteStartElement("ParameterValueStruct");
            w.WriteElementString("Name", p.Name);
            w.WriteStartElement("Value");
            w.WriteAttributeString("xsi", "type", CwmpNamespaces.Xsi, p.Type ?? "xsd:string");
            w.WriteString(p.Value);
            w.WriteEndElement();
            w.WriteEndElement();
        }
        w.WriteEndElement();
    }

    private static void WriteFaultStruct(XmlWriter w, FaultStruct fault)
    {
        w.WriteStartElement("FaultStruct");
        w.WriteElementString("FaultCode", fault.FaultCode.ToString(CultureInfo.InvariantCulture));
        w.WriteElementString("FaultString", fault.FaultString);
        w.WriteEndElement();
    }

    private static void WriteTransferResponse(XmlWriter w, int status, string start, string complete)
    {
        Int(w, "Status", status);
        w.WriteElementString("StartTime", start);
        w.WriteElementString("CompleteTime", complete);
    }

    private static void Int(XmlWriter w, string name, int value) =>
        w.WriteElementString(name, value.ToString(CultureInfo.InvariantCulture));
}
