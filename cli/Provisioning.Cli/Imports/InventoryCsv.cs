using System.Globalization;
using System.Text.RegularExpressions;
using CsvHelper;
using CsvHelper.Configuration;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;

namespace Provisioning.Cli.Imports;

/// <summary>
/// Reads an inventory CSV (one device per row) and validates every row before anything is sent:
/// a file with any bad row yields its problems, never a partial list.
/// </summary>
/// <summary>A valid device and the line of its row (to name it if the server refuses it).</summary>
public sealed record ParsedDevice(Device Device, int Line);

public static partial class InventoryCsv
{
    public static readonly string[] Columns =
    [
        "serial_number", "oui", "product_class", "protocol", "endpoint_id", "customer_id", "service_plan", "location_id",
        "cwmp_username", "cwmp_password", "connection_request_username", "connection_request_password",
        // Optional: the CWMP device's own bootstrap secret (its label password; username defaults to the ACS's
        // bootstrap username) and the USP agent's secret. Both write-only on the server.
        "bootstrap_username", "bootstrap_password", "agent_secret",
    ];

    private static readonly string[] RequiredColumns = ["serial_number", "oui", "protocol"];

    public static IReadOnlyList<ParsedDevice> Read(string path)
    {
        using var reader = OpenText(path);
        var (devices, problems) = Parse(reader);
        if (problems.Count > 0) throw new ImportRejectedException(path, problems);
        if (devices.Count == 0) throw new ImportRejectedException(path, [new ImportProblem(1, "no devices in the file")]);
        return devices;
    }

    public static (IReadOnlyList<ParsedDevice> Devices, IReadOnlyList<ImportProblem> Problems) Parse(TextReader reader)
    {
        var devices = new List<ParsedDevice>();
        var problems = new List<ImportProblem>();
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            TrimOptions = TrimOptions.Trim,
            IgnoreBlankLines = true,
            BadDataFound = null,
            PrepareHeaderForMatch = args => args.Header.Trim().ToLowerInvariant(),
        };
        using var csv = new CsvReader(reader, config);
        try
        {
            if (!csv.Read() || !csv.ReadHeader())
                return (devices, [new ImportProblem(1, "the file is empty (expected a header: " + string.Join(',', Columns) + ")")]);
        }
        catch (CsvHelperException e)
        {
            return (devices, [new ImportProblem(1, $"not CSV: {e.Message}")]);
        }

        var header = csv.HeaderRecord!.Select(h => h.Trim().ToLowerInvariant()).ToList();
        var missing = RequiredColumns.Where(c => !header.Contains(c)).ToList();
        var unknown = header.Where(h => !Columns.Contains(h)).ToList();
        if (missing.Count > 0) problems.Add(new ImportProblem(1, $"missing column(s): {string.Join(", ", missing)}"));
        if (unknown.Count > 0) problems.Add(new ImportProblem(1, $"unknown column(s): {string.Join(", ", unknown)} (expected {string.Join(',', Columns)})"));
        if (problems.Count > 0) return (devices, problems);

        var firstLineOfSerial = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        while (true)
        {
            try
            {
                if (!csv.Read()) break;
            }
            catch (CsvHelperException e)
            {
                problems.Add(new ImportProblem(csv.Parser.RawRow, $"not valid CSV: {e.Message}"));
                break;
            }
            var line = csv.Parser.RawRow;
            if (csv.Parser.Count != header.Count)
            {
                problems.Add(new ImportProblem(line, $"{csv.Parser.Count} field(s), the header has {header.Count}"));
                continue;
            }
            string Field(string name) => header.Contains(name) ? csv.GetField(name) ?? "" : "";
            var rowProblems = new List<string>();
            var device = ToDevice(Field, rowProblems);
            if (device.Identity.SerialNumber.Length > 0)
            {
                if (firstLineOfSerial.TryGetValue(device.Identity.SerialNumber, out var first))
                    rowProblems.Add($"serial_number {device.Identity.SerialNumber} is already on line {first}");
                else
                    firstLineOfSerial[device.Identity.SerialNumber] = line;
            }
            if (rowProblems.Count > 0) problems.Add(new ImportProblem(line, string.Join("; ", rowProblems)));
            else devices.Add(new ParsedDevice(device, line));
        }
        return (devices, problems);
    }

    private static Device ToDevice(Func<string, string> field, List<string> problems)
    {
        var serial = field("serial_number");
        var oui = field("oui");
        var protocolText = field("protocol");
        var endpointId = field("endpoint_id");

        if (serial.Length == 0) problems.Add("serial_number is empty");
        else if (serial.Length > 64 || !SerialNumber().IsMatch(serial)) problems.Add($"serial_number '{serial}' must be 1-64 letters, digits, '-', '_' or '.'");
        if (!Oui().IsMatch(oui)) problems.Add($"oui '{oui}' must be 6 hexadecimal digits");
        var protocol = protocolText.ToLowerInvariant() switch
        {
            "cwmp" or "tr-069" or "tr069" => DeviceProtocol.Cwmp,
            "usp" or "tr-369" or "tr369" => DeviceProtocol.Usp,
            _ => DeviceProtocol.Unspecified,
        };
        if (protocol == DeviceProtocol.Unspecified) problems.Add($"protocol '{protocolText}' must be cwmp or usp");
        if (protocol == DeviceProtocol.Usp && endpointId.Length > 0 && !UspEndpointId().IsMatch(endpointId))
            problems.Add($"endpoint_id '{endpointId}' is not a USP endpoint ID (e.g. os::{oui}-{serial})");
        if (protocol == DeviceProtocol.Cwmp && endpointId.Length > 0) problems.Add("endpoint_id is only for usp devices");
        if (protocol == DeviceProtocol.Usp && field("cwmp_username").Length + field("cwmp_password").Length > 0)
            problems.Add("cwmp_username/cwmp_password are only for cwmp devices");
        if (field("cwmp_username").Length > 0 != field("cwmp_password").Length > 0)
            problems.Add("cwmp_username and cwmp_password go together");
        if (field("connection_request_username").Length > 0 != field("connection_request_password").Length > 0)
            problems.Add("connection_request_username and connection_request_password go together");
        if (field("bootstrap_username").Length > 0 && field("bootstrap_password").Length == 0)
            problems.Add("bootstrap_username needs bootstrap_password");
        if (protocol == DeviceProtocol.Usp && field("bootstrap_password").Length > 0)
            problems.Add("bootstrap_username/bootstrap_password are only for cwmp devices");
        if (protocol == DeviceProtocol.Cwmp && field("agent_secret").Length > 0)
            problems.Add("agent_secret is only for usp devices");
        if (field("agent_secret").Length is > 0 and < 8)
            problems.Add("agent_secret must be at least 8 characters");

        return new Device
        {
            Identity = new DeviceRef
            {
                SerialNumber = serial,
                Oui = oui.ToUpperInvariant(),
                ProductClass = field("product_class"),
                Protocol = protocol,
                EndpointId = protocol == DeviceProtocol.Usp && endpointId.Length == 0 ? $"os::{oui.ToUpperInvariant()}-{serial}" : endpointId,
            },
            CustomerId = field("customer_id"),
            ServicePlan = field("service_plan"),
            LocationId = field("location_id"),
            CwmpUsername = field("cwmp_username"),
            CwmpPassword = field("cwmp_password"),
            ConnectionRequestUsername = field("connection_request_username"),
            ConnectionRequestPassword = field("connection_request_password"),
            BootstrapUsername = field("bootstrap_username"),
            BootstrapPassword = field("bootstrap_password"),
            AgentSecret = field("agent_secret"),
        };
    }

    internal static StreamReader OpenText(string path)
    {
        try
        {
            return File.OpenText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read {path}: {e.Message}");
        }
    }

    [GeneratedRegex("^[0-9A-Fa-f]{6}$")]
    private static partial Regex Oui();

    [GeneratedRegex(@"^[A-Za-z0-9._\-]+$")]
    private static partial Regex SerialNumber();

    [GeneratedRegex(@"^(os|oui|proto|self|uuid|imei|imeisv|ops|doc|cid|pen):.+$")]
    private static partial Regex UspEndpointId();
}
