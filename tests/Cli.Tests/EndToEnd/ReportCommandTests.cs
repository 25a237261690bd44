using System.Globalization;
using System.Text.Json;
using CsvHelper;
using Provisioning.Testing;

namespace Provisioning.Cli.Tests.EndToEnd;

[Collection(nameof(CliSystemCollection))]
public sealed class ReportCommandTests(CliSystemFixture fixture)
{
    [Fact]
    public async Task Failures_report_groups_by_step_result_fault_model_firmware_and_plan()
    {
        await fixture.ProvisionAsync(CliSystemFixture.NewSerial("FAULT"));
        await fixture.ProvisionAsync(CliSystemFixture.NewSerial("FAULT"));
        await fixture.ProvisionAsync(CliSystemFixture.NewSerial("OK"));

        // The statistics projection may trail the workflow by a moment.
        CliRun csv = null!;
        var count = 0L;
        for (var attempt = 0; attempt < 50 && count < 2; attempt++)
        {
            csv = await fixture.RunAsync("failures", "--since", "1h", "--format", "csv");
            Assert.Equal(0, csv.ExitCode);
            count = Rows(csv.Out).Where(r => r["model"] == "F@ST5670" && r["fault_code"] == "9003")
                .Sum(r => long.Parse(r["count"], CultureInfo.InvariantCulture));
            if (count < 2) await Task.Delay(100);
        }

        var row = Assert.Single(Rows(csv.Out), r => r["model"] == "F@ST5670" && r["fault_code"] == "9003");
        Assert.Equal("push_config", row["step"]);
        Assert.Equal("config_push_failed", row["result"]);
        Assert.Equal("1.0.4", row["firmware_version"]);
        Assert.Equal("gold", row["service_plan"]);
        Assert.True(long.Parse(row["count"], CultureInfo.InvariantCulture) >= 2);
        Assert.DoesNotContain(Rows(csv.Out), r => r["result"] == "success");

        var table = await fixture.RunAsync("failures", "--since", "1h");
        Assert.Matches(@"\d+ failed workflow\(s\)", table.Console);
        Assert.Contains(table.Console.Split('\n'), l => l.Contains("push_config") && l.Contains("config_push_failed") && l.Contains("9003") && l.Contains("F@ST5670") && l.Contains("1.0.4") && l.Contains("gold"));

        var json = await fixture.RunAsync("failures", "--since", "1h", "--format", "json");
        using var document = JsonDocument.Parse(json.Out);
        Assert.True(long.Parse(document.RootElement.GetProperty("total_failed").GetString()!, CultureInfo.InvariantCulture) >= 2);
        Assert.Contains(document.RootElement.GetProperty("rows").EnumerateArray(), r => r.GetProperty("model").GetString() == "F@ST5670");
    }

    [Fact]
    public async Task Failures_csv_never_hands_a_device_supplied_formula_to_a_spreadsheet()
    {
        await fixture.ProvisionAsync(CliSystemFixture.NewSerial("EVIL"));
        CliRun csv;
        var attempt = 0;
        do
        {
            csv = await fixture.RunAsync("failures", "--since", "1h", "--format", "csv");
            if (csv.Out.Contains("6.6.6")) break;
            await Task.Delay(100);
        }
        while (++attempt < 50);

        var row = Assert.Single(Rows(csv.Out), r => r["firmware_version"] == "6.6.6");
        Assert.Equal("'" + StandInDevices.EvilModel, row["model"]);
    }

    [Fact]
    public async Task Failures_in_a_range_without_any_are_empty()
    {
        var run = await fixture.RunAsync("failures", "--since", "2020-01-01T00:00:00Z", "--until", "2020-01-02T00:00:00Z", "--format", "csv");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("step,result,fault_code,parameter_fault_codes,model,firmware_version,service_plan,count", run.Out.Trim());
    }

    [Fact]
    public async Task Device_history_lists_results_faults_and_trace_ids()
    {
        var serial = CliSystemFixture.NewSerial("FAULT");
        var workflow = await fixture.ProvisionAsync(serial);

        // The history projection may trail the workflow by a moment (and may show it running before it shows its end).
        var run = await fixture.RunAsync("device", serial);
        for (var attempt = 0; attempt < 50 && !run.Console.Split('\n').Any(l => l.Contains(workflow.WorkflowId) && l.Contains("config_push_failed")); attempt++)
        {
            await Task.Delay(100);
            run = await fixture.RunAsync("device", serial);
        }

        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"{serial}: 1 workflow(s)", run.Console);
        var line = Assert.Single(run.Console.Split('\n'), l => l.Contains(workflow.WorkflowId));
        Assert.Contains("config_push_failed", line);
        Assert.Contains("push_config", line);
        Assert.Contains("9003", line);
        Assert.Contains("F@ST5670", line);
        Assert.False(string.IsNullOrEmpty(workflow.TraceId));
        Assert.Contains(workflow.TraceId, line);

        var json = await fixture.RunAsync("device", serial, "--format", "json");
        Assert.Contains($"\"trace_id\": \"{workflow.TraceId}\"", json.Out);
    }

    [Fact]
    public async Task Refused_contacts_show_in_the_device_history_and_the_failure_report_with_their_count()
    {
        var serial = CliSystemFixture.NewSerial("REFUSED");
        await fixture.RegisterAsync(serial);
        // As the ACS reports them: three wrong passwords from one address, stored once and counted.
        using var channel = TestChannels.ForAddress(fixture.System.GrpcAddress, token: SystemUnderTest.InternalKey);
        var contacts = new Contracts.Southbound.DeviceContacts.DeviceContactsClient(channel);
        for (var i = 0; i < 3; i++)
        {
            await contacts.ReportRefusedContactAsync(new Contracts.Southbound.RefusedContactReport
            {
                Device = new Contracts.Common.DeviceRef { SerialNumber = serial },
                Reason = Contracts.Southbound.RefusalReason.WrongPassword,
                Detail = "Digest response does not match",
                RemoteAddress = "203.0.113.9",
            });
        }

        CliRun device = null!;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            device = await fixture.RunAsync("device", serial);
            if (device.Console.Split('\n').Any(l => l.Contains("wrong_password") && l.Contains(" 3 "))) break;
            await Task.Delay(100);
        }
        Assert.Equal(0, device.ExitCode);
        Assert.Contains($"{serial}: 1 contact record(s)", device.Console);
        var line = Assert.Single(device.Console.Split('\n'), l => l.Contains("wrong_password"));
        Assert.Contains("contact_refused", line);
        Assert.Contains("203.0.113.9", line);
        Assert.Contains(" 3 ", line);
        Assert.Contains($"{serial}: credential bootstrap", device.Console);
        Assert.Contains("no provisioning history", device.Console);

        var failures = await fixture.RunAsync("failures", "--since", "1h");
        Assert.Matches(@"\d+ refused contact\(s\)", failures.Console);
        Assert.Contains(failures.Console.Split('\n'), l => l.Contains("wrong_password") && l.Contains("cwmp"));
        var json = await fixture.RunAsync("failures", "--since", "1h", "--format", "json");
        using var document = JsonDocument.Parse(json.Out);
        Assert.Contains(document.RootElement.GetProperty("refusals").EnumerateArray(),
            r => r.GetProperty("reason").GetString() == "wrong_password" && long.Parse(r.GetProperty("count").GetString()!, CultureInfo.InvariantCulture) >= 3);
    }

    [Fact]
    public async Task Unknown_device_has_no_history()
    {
        var run = await fixture.RunAsync("device", "NEVER-SEEN");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("NEVER-SEEN: no provisioning history", run.Console.Trim());
    }

    private static List<Dictionary<string, string>> Rows(string csv)
    {
        using var reader = new CsvReader(new StringReader(csv), CultureInfo.InvariantCulture);
        reader.Read();
        reader.ReadHeader();
        var rows = new List<Dictionary<string, string>>();
        while (reader.Read()) rows.Add(reader.HeaderRecord!.ToDictionary(h => h, h => reader.GetField(h)!));
        return rows;
    }
}
