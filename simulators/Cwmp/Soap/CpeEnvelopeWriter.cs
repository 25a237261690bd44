using System.Globalization;
using System.Text;
using System.Xml;

namespace Provisioning.Simulators.Cwmp.Soap;

/// <summary>Writes the CPE's envelopes (Inform, responses, faults) the way a typical CPE stack does.</summary>
public static class CpeEnvelopeWriter
{
    public const string SoapEnv = "http://schemas.xmlsoap.org/soap/envelope/";
    public const string SoapEnc = "http://schemas.xmlsoap.org/soap/encoding/";
    public const string Xsd = "http://www.w3.org/2001/XMLSchema";
    public const string Xsi = "http://www.w3.org/2001/XMLSchema-instance";

    private static readonly XmlWriterSettings Settings = new() { Encoding = new UTF8Encoding(false), Indent = false };

    /// <summary>An envelope whose body is one method element written by <paramref name="writeMethod"/>.</summary>
    public static byte[] Write(string cwmpNs, string? id, string? supportedVersions, Action<XmlWriter> writeMethod)
    {
        using var stream = new MemoryStream(1024);
        using (var w = XmlWriter.Create(stream, Settings))
        {
            w.WriteStartDocument();
            w.WriteStartElement("SOAP-ENV", "Envelope", SoapEnv);
            w.WriteAttributeString("xmlns", "SOAP-ENC", null, SoapEnc);
            w.WriteAttributeString("xmlns", "xsd", null, Xsd);
            w.WriteAttributeString("xmlns", "xsi", null, Xsi);
            w.WriteAttributeString("xmlns", "cwmp", null, cwmpNs);
            w.WriteStartElement("SOAP-ENV", "Header", SoapEnv);
            if (id is not null)
            {
                w.WriteStartElement("cwmp", "ID", cwmpNs);
                w.WriteAttributeString("SOAP-ENV", "mustUnderstand", SoapEnv, "1");
                w.WriteString(id);
                w.WriteEndElement();
            }
            if (supportedVersions is not null)
            {
                w.WriteStartElement("cwmp", "SupportedCWMPVersions", cwmpNs);
                w.WriteAttributeString("SOAP-ENV", "mustUnderstand", SoapEnv, "0");
                w.WriteString(supportedVersions);
                w.WriteEndElement();
            }
            w.WriteEndElement();
            w.WriteStartElement("SOAP-ENV", "Body", SoapEnv);
            writeMethod(w);
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndDocument();
        }
        return stream.ToArray();
    }

    public static void Method(XmlWriter w, string cwmpNs, string name, Action<XmlWriter>? children = null)
    {
        w.WriteStartElement("cwmp", name, cwmpNs);
        children?.Invoke(w);
        w.WriteEndElement();
    }

    public static void ParameterValueArray(XmlWriter w, IReadOnlyCollection<(string Name, string Value, string Type)> values)
    {
        w.WriteStartElement("ParameterList");
        w.WriteAttributeString("SOAP-ENC", "arrayType", SoapEnc, $"cwmp:ParameterValueStruct[{values.Count.ToString(CultureInfo.InvariantCulture)}]");
        foreach (var (name, value, type) in values)
        {
            w.WriteStartElement("ParameterValueStruct");
            w.WriteElementString("Name", name);
            w.WriteStartElement("Value");
            w.WriteAttributeString("xsi", "type", Xsi, type);
            w.WriteString(value);
            w.WriteEndElement();
            w.WriteEndElement();
        }
        w.WriteEndElement();
    }

    public static byte[] Fault(string cwmpNs, string? id, uint code, string text, IReadOnlyCollection<(string Name, uint Code, string Text)>? parameterFaults = null) =>
        Write(cwmpNs, id, null, w =>
        {
            w.WriteStartElement("SOAP-ENV", "Fault", SoapEnv);
            w.WriteElementString("faultcode", code is 9002 or 9004 ? "Server" : "Client");
            w.WriteElementString("faultstring", "CWMP fault");
            w.WriteStartElement("detail");
            w.WriteStartElement("cwmp", "Fault", cwmpNs);
            w.WriteElementString("FaultCode", code.ToString(CultureInfo.InvariantCulture));
            w.WriteElementString("FaultString", text);
            foreach (var (name, faultCode, faultText) in parameterFaults ?? [])
            {
                w.WriteStartElement("SetParameterValuesFault");
                w.WriteElementString("ParameterName", name);
                w.WriteElementString("FaultCode", faultCode.ToString(CultureInfo.InvariantCulture));
                w.WriteElementString("FaultString", faultText);
                w.WriteEndElement();
            }
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndElement();
        });
}
