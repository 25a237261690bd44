using System.Globalization;
using System.Xml;
using Provisioning.Southbound.Cwmp.Methods;

namespace Provisioning.Southbound.Cwmp.Soap;

// The arguments of the CPE methods (the ACS's requests) and of the CPE's responses to them: one writer per message.
public static partial class CwmpWriter
{
    private static void WriteGetParameterNames(XmlWriter w, GetParameterNames m)
    {
        w.WriteElementString("ParameterPath", m.ParameterPath);
        w.WriteElementString("NextLevel", m.NextLevel ? "1" : "0");
    }

    private static void WriteGetParameterNamesResponse(XmlWriter w, GetParameterNamesResponse m)
    {
        StartArray(w, "ParameterList", "cwmp:ParameterInfoStruct", m.ParameterList.Count);
        foreach (var p in m.ParameterList)
        {
            w.WriteStartElement("ParameterInfoStruct");
            w.WriteElementString("Name", p.Name);
            w.WriteElementString("Writable", p.Writable ? "1" : "0");
            w.WriteEndElement();
        }
        w.WriteEndElement();
    }

    private static void WriteGetParameterValues(XmlWriter w, GetParameterValues m) => WriteStrings(w, "ParameterNames", m.ParameterNames);

    private static void WriteGetParameterValuesResponse(XmlWriter w, GetParameterValuesResponse m) => WriteParameterValues(w, m.ParameterList);

    private static void WriteSetParameterValues(XmlWriter w, SetParameterValues m)
    {
        WriteParameterValues(w, m.ParameterList);
        w.WriteElementString("ParameterKey", m.ParameterKey);
    }

    private static void WriteSetParameterValuesResponse(XmlWriter w, SetParameterValuesResponse m) => Int(w, "Status", m.Status);

    private static void WriteGetParameterAttributes(XmlWriter w, GetParameterAttributes m) => WriteStrings(w, "ParameterNames", m.ParameterNames);

    private static void WriteGetParameterAttributesResponse(XmlWriter w, GetParameterAttributesResponse m)
    {
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
    }

    private static void WriteSetParameterAttributes(XmlWriter w, SetParameterAttributes m)
    {
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
    }

    private static void WriteAddObject(XmlWriter w, AddObject m)
    {
        w.WriteElementString("ObjectName", m.ObjectName);
        w.WriteElementString("ParameterKey", m.ParameterKey);
    }

    private static void WriteAddObjectResponse(XmlWriter w, AddObjectResponse m)
    {
        w.WriteElementString("InstanceNumber", m.InstanceNumber.ToString(CultureInfo.InvariantCulture));
        Int(w, "Status", m.Status);
    }

    private static void WriteDeleteObject(XmlWriter w, DeleteObject m)
    {
        w.WriteElementString("ObjectName", m.ObjectName);
        w.WriteElementString("ParameterKey", m.ParameterKey);
    }

    private static void WriteDeleteObjectResponse(XmlWriter w, DeleteObjectResponse m) => Int(w, "Status", m.Status);

    private static void WriteReboot(XmlWriter w, Reboot m) => w.WriteElementString("CommandKey", m.CommandKey);

    private static void WriteDownload(XmlWriter w, Download m)
    {
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
    }

    private static void WriteDownloadResponse(XmlWriter w, DownloadResponse m) => WriteTransferResponse(w, m.Status, m.StartTime, m.CompleteTime);

    private static void WriteUpload(XmlWriter w, Upload m)
    {
        w.WriteElementString("CommandKey", m.CommandKey);
        w.WriteElementString("FileType", m.FileType);
        w.WriteElementString("URL", m.Url);
        w.WriteElementString("Username", m.Username);
        w.WriteElementString("Password", m.Password);
        w.WriteElementString("DelaySeconds", m.DelaySeconds.ToString(CultureInfo.InvariantCulture));
    }

    private static void WriteUploadResponse(XmlWriter w, UploadResponse m) => WriteTransferResponse(w, m.Status, m.StartTime, m.CompleteTime);

    private static void WriteScheduleInform(XmlWriter w, ScheduleInform m)
    {
        w.WriteElementString("DelaySeconds", m.DelaySeconds.ToString(CultureInfo.InvariantCulture));
        w.WriteElementString("CommandKey", m.CommandKey);
    }
}
