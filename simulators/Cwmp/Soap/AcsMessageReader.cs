using System.Xml;

namespace Provisioning.Simulators.Cwmp.Soap;

/// <summary>
/// Reads the ACS's envelopes with a forward-only XmlReader, by element depth: Envelope(0) / Body(1) /
/// method(2) / field(3) / array item(4) / struct member(5). Enough for every ACS request and response.
/// </summary>
public static class AcsMessageReader
{
    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreWhitespace = true,
        IgnoreProcessingInstructions = true,
        MaxCharactersInDocument = 4 * 1024 * 1024,
    };

    public static AcsMessage Read(Stream stream)
    {
        var message = new AcsMessage();
        using var r = XmlReader.Create(stream, Settings);
        var path = new string[16];
        string? structName = null, structValue = null, structType = null;
        var inHeader = false;
        while (r.Read())
        {
            switch (r.NodeType)
            {
                case XmlNodeType.Element:
                    if (r.Depth >= path.Length) throw new XmlException("too deep");
                    path[r.Depth] = r.LocalName;
                    if (r.Depth == 1) inHeader = r.LocalName == "Header";
                    if (r.Depth == 2 && !inHeader)
                    {
                        message.Method = r.LocalName;
                        message.CwmpNamespace = r.NamespaceURI;
                    }
                    if (r.Depth == 4 && !inHeader) structName = structValue = structType = null;
                    if (r.Depth == 5 && r.LocalName == "Value" && !inHeader)
                    {
                        structType = r.GetAttribute("type", "http://www.w3.org/2001/XMLSchema-instance");
                        structValue = "";
                    }
                    if (r.IsEmptyElement) OnText(message, path, r.Depth, inHeader, "", ref structName, ref structValue);
                    break;
                case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.SignificantWhitespace:
                    OnText(message, path, r.Depth - 1, inHeader, r.Value, ref structName, ref structValue);
                    break;
                case XmlNodeType.EndElement when r.Depth == 4 && !inHeader && structName is not null:
                    if (structValue is not null) message.ParameterValues.Add((structName, structValue, structType));
                    else message.Strings.Add(structName);
                    structName = null;
                    break;
            }
        }
        return message;
    }

    private static void OnText(AcsMessage m, string[] path, int depth, bool inHeader, string text, ref string? structName, ref string? structValue)
    {
        var name = path[depth];
        if (inHeader)
        {
            if (name == "ID") m.Id = text.Trim();
            else if (name == "UseCWMPVersion") m.UseCwmpVersion = text.Trim();
            return;
        }
        if (m.Method == "Fault")
        {
            // Body/Fault/detail/cwmp:Fault/FaultCode: the CWMP fault, not a SetParameterValuesFault entry.
            if (depth == 5 && name == "FaultCode") m.FaultCode = uint.TryParse(text.Trim(), out var code) ? code : 0;
            else if (depth == 5 && name == "FaultString") m.FaultString = text;
            return;
        }
        switch (depth)
        {
            case 3:
                m.Fields[name] = text;
                break;
            case 4:
                m.Strings.Add(text.Trim());
                break;
            case 5 when name == "Name":
                structName = text.Trim();
                break;
            case 5 when name == "Value":
                structValue = text;
                break;
        }
    }
}
