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
public static partial class CwmpWriter
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

    /// <summary>The body's method element; its arguments are written by the message's own writer (CwmpWriter.AcsMethods.cs, CwmpWriter.CpeMethods.cs).</summary>
    private static void WriteMethod(XmlWriter w, CwmpMessage message, string ns)
    {
        if (message is CwmpFault fault)
        {
            WriteFault(w, fault, ns);
            return;
        }
        w.WriteStartElement("cwmp", message.MethodName, ns);
        WriteArguments(w, message);
        w.WriteEndElement();
    }

    private static void WriteArguments(XmlWriter w, CwmpMessage message)
    {
        switch (message)
        {
            case Inform m: WriteInform(w, m); break;
            case InformResponse m: WriteInformResponse(w, m); break;
            case TransferComplete m: WriteTransferComplete(w, m); break;
            case AutonomousTransferComplete m: WriteAutonomousTransferComplete(w, m); break;
            case RequestDownload m: WriteRequestDownload(w, m); break;
            case GetRpcMethodsResponse m: WriteGetRpcMethodsResponse(w, m); break;
            case GetParameterNames m: WriteGetParameterNames(w, m); break;
            case GetParameterNamesResponse m: WriteGetParameterNamesResponse(w, m); break;
            case GetParameterValues m: WriteGetParameterValues(w, m); break;
            case GetParameterValuesResponse m: WriteGetParameterValuesResponse(w, m); break;
            case SetParameterValues m: WriteSetParameterValues(w, m); break;
            case SetParameterValuesResponse m: WriteSetParameterValuesResponse(w, m); break;
            case GetParameterAttributes m: WriteGetParameterAttributes(w, m); break;
            case GetParameterAttributesResponse m: WriteGetParameterAttributesResponse(w, m); break;
            case SetParameterAttributes m: WriteSetParameterAttributes(w, m); break;
            case AddObject m: WriteAddObject(w, m); break;
            case AddObjectResponse m: WriteAddObjectResponse(w, m); break;
            case DeleteObject m: WriteDeleteObject(w, m); break;
            case DeleteObjectResponse m: WriteDeleteObjectResponse(w, m); break;
            case Reboot m: WriteReboot(w, m); break;
            case Download m: WriteDownload(w, m); break;
            case DownloadResponse m: WriteDownloadResponse(w, m); break;
            case Upload m: WriteUpload(w, m); break;
            case UploadResponse m: WriteUploadResponse(w, m); break;
            case ScheduleInform m: WriteScheduleInform(w, m); break;
            // Methods without arguments: GetRPCMethods, FactoryReset and the empty responses.
        }
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
