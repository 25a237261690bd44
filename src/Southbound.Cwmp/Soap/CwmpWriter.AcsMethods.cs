using System.Globalization;
using System.Xml;
using Provisioning.Southbound.Cwmp.Methods;

namespace Provisioning.Southbound.Cwmp.Soap;

// The arguments of the ACS methods (the CPE's requests) and of the ACS's responses to them: one writer per message.
public static partial class CwmpWriter
{
    private static void WriteInform(XmlWriter w, Inform m)
    {
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
    }

    private static void WriteInformResponse(XmlWriter w, InformResponse m) => Int(w, "MaxEnvelopes", m.MaxEnvelopes);

    private static void WriteTransferComplete(XmlWriter w, TransferComplete m)
    {
        w.WriteElementString("CommandKey", m.CommandKey);
        WriteFaultStruct(w, m.Fault);
        w.WriteElementString("StartTime", m.StartTime);
        w.WriteElementString("CompleteTime", m.CompleteTime);
    }

    private static void WriteAutonomousTransferComplete(XmlWriter w, AutonomousTransferComplete m)
    {
        w.WriteElementString("AnnounceURL", m.AnnounceUrl);
        w.WriteElementString("TransferURL", m.TransferUrl);
        w.WriteElementString("IsDownload", m.IsDownload ? "1" : "0");
        w.WriteElementString("FileType", m.FileType);
        w.WriteElementString("FileSize", m.FileSize.ToString(CultureInfo.InvariantCulture));
        w.WriteElementString("TargetFileName", m.TargetFileName);
        WriteFaultStruct(w, m.Fault);
        w.WriteElementString("StartTime", m.StartTime);
        w.WriteElementString("CompleteTime", m.CompleteTime);
    }

    private static void WriteRequestDownload(XmlWriter w, RequestDownload m)
    {
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
    }

    private static void WriteGetRpcMethodsResponse(XmlWriter w, GetRpcMethodsResponse m) => WriteStrings(w, "MethodList", m.MethodList);
}
