using Provisioning.Cli.Imports;
using Provisioning.Contracts.Common;

namespace Provisioning.Cli.Tests.Imports;

public sealed class InventoryCsvTests
{
    private const string Header = "serial_number,oui,product_class,protocol,endpoint_id,customer_id,service_plan,location_id,cwmp_username,cwmp_password,connection_request_username,connection_request_password";

    [Fact]
    public void Valid_rows_become_devices()
    {
        var (devices, problems) = InventoryCsv.Parse(new StringReader(
            Header + "\n" +
            "SN-1,00d09e,HG8245,cwmp,,cust-1,gold,loc-1,cpe1,secret1,acs,crpass\n" +
            "SN-2,A1B2C3,,usp,,cust-2,silver,,,,,\n" +
            "SN-3,A1B2C3,X,USP,os::A1B2C3-SN-3-custom,,\"gold\",,,,,\n"));

        Assert.Empty(problems);
        Assert.Equal(["SN-1", "SN-2", "SN-3"], devices.Select(d => d.Device.Identity.SerialNumber));
        Assert.Equal("00D09E", devices[0].Device.Identity.Oui);
        Assert.Equal(DeviceProtocol.Cwmp, devices[0].Device.Identity.Protocol);
        Assert.Equal("secret1", devices[0].Device.CwmpPassword);
        Assert.Equal("os::A1B2C3-SN-2", devices[1].Device.Identity.EndpointId);
        Assert.Equal("os::A1B2C3-SN-3-custom", devices[2].Device.Identity.EndpointId);
        Assert.Equal([2, 3, 4], devices.Select(d => d.Line));
    }

    [Fact]
    public void A_bootstrap_secret_and_an_agent_secret_are_read_and_checked_against_the_protocol()
    {
        const string header = Header + ",bootstrap_username,bootstrap_password,agent_secret";
        var (devices, problems) = InventoryCsv.Parse(new StringReader(
            header + "\n" +
            "SN-1,00D09E,HG,cwmp,,,gold,,cpe1,secret1,,,,label-pass-1,\n" +
            "SN-2,A1B2C3,,usp,,,gold,,,,,,,,agent-secret-2\n"));
        Assert.Empty(problems);
        Assert.Equal("label-pass-1", devices[0].Device.BootstrapPassword);
        Assert.Equal("", devices[0].Device.BootstrapUsername);
        Assert.Equal("agent-secret-2", devices[1].Device.AgentSecret);

        var (_, wrong) = InventoryCsv.Parse(new StringReader(
            header + "\n" +
            "SN-3,00D09E,HG,cwmp,,,gold,,,,,,,,agent-secret-3\n" +
            "SN-4,A1B2C3,,usp,,,gold,,,,,,boot,label,\n" +
            "SN-5,00D09E,HG,cwmp,,,gold,,,,,,boot,,\n"));
        Assert.Equal([2, 3, 4], wrong.Select(p => p.Line));
        Assert.Contains("agent_secret is only for usp", wrong[0].Message);
        Assert.Contains("only for cwmp", wrong[1].Message);
        Assert.Contains("bootstrap_username needs bootstrap_password", wrong[2].Message);
    }

    [Fact]
    public void Bad_rows_are_named_by_line_and_nothing_is_returned_for_them()
    {
        var (devices, problems) = InventoryCsv.Parse(new StringReader(
            Header + "\n" +
            "SN-1,00D09E,HG,cwmp,,,,,,,,\n" +
            "SN-2,00D09E,HG,tr-181,,,,,,,,\n" +      // line 3: bad protocol
            "\n" +
            "SN-1,00D09E,HG,cwmp,,,,,,,,\n" +        // line 5: duplicate serial
            "SN-4,XYZ,HG,cwmp,,,,,user,,,\n"));      // line 6: bad OUI, username without password

        Assert.Equal([3, 5, 6], problems.Select(p => p.Line));
        Assert.Contains("protocol 'tr-181' must be cwmp or usp", problems[0].Message);
        Assert.Contains("serial_number SN-1 is already on line 2", problems[1].Message);
        Assert.Contains("oui 'XYZ' must be 6 hexadecimal digits", problems[2].Message);
        Assert.Contains("cwmp_username and cwmp_password go together", problems[2].Message);
        Assert.Single(devices);
    }

    [Fact]
    public void Wrong_field_count_and_missing_columns_are_reported()
    {
        var (_, wrongCount) = InventoryCsv.Parse(new StringReader(Header + "\nSN-1,00D09E,HG,cwmp\n"));
        Assert.Equal(2, Assert.Single(wrongCount).Line);

        var (_, missing) = InventoryCsv.Parse(new StringReader("serial,oui\nSN-1,00D09E\n"));
        Assert.Contains(missing, p => p.Line == 1 && p.Message.Contains("missing column(s): serial_number, protocol"));
    }

    [Fact]
    public void Line_numbers_count_quoted_fields_spanning_lines()
    {
        var (_, problems) = InventoryCsv.Parse(new StringReader(
            Header + "\n" +
            "SN-1,00D09E,HG,cwmp,,\"customer\nwith newline\",,,,,,\n" +
            "SN-2,00D09E,HG,ftp,,,,,,,,\n"));
        Assert.Equal(4, Assert.Single(problems).Line);
    }

    [Fact]
    public void Error_messages_never_echo_passwords()
    {
        var (_, problems) = InventoryCsv.Parse(new StringReader(Header + "\nSN-1,00D09E,HG,usp,,,,,admin,Sup3rS3cret,,\n"));
        Assert.DoesNotContain("Sup3rS3cret", Assert.Single(problems).Message);
    }
}
