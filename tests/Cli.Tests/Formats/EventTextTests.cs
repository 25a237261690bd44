using Provisioning.Cli.Output;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;

namespace Provisioning.Cli.Tests.Formats;

/// <summary>The one-line event detail an analyst reads in watch/replay.</summary>
public sealed class EventTextTests
{
    [Fact]
    public void A_push_that_created_objects_or_needs_a_reboot_says_so()
    {
        var e = SampleEvents.Event(4, "wf-1", "SN-1", 3, WorkflowStep.PushConfig);
        e.ConfigPushed = new ConfigPushed
        {
            ParameterCount = 12, ParameterKey = "k1", ApplyStatus = 1,
            CreatedInstances = { new InstanceNumbering { Requested = "Device.WiFi.AccessPoint.2.", Actual = "Device.WiFi.AccessPoint.4." } },
        };

        Assert.Equal("parameters=12 key=k1 applied_after_reboot created=Device.WiFi.AccessPoint.2.->Device.WiFi.AccessPoint.4.", EventText.Detail(e));

        e.ConfigPushed.ApplyStatus = 0;
        e.ConfigPushed.CreatedInstances.Clear();
        Assert.Equal("parameters=12 key=k1", EventText.Detail(e));
    }

    [Fact]
    public void Device_supplied_control_characters_never_reach_the_terminal()
    {
        var e = SampleEvents.Event(1, "wf", "SN-1", 0, WorkflowStep.Authenticate);
        e.EventType = "device_authenticated";
        e.DeviceAuthenticated = new DeviceAuthenticated { Model = "evil\u001b[2J\nmodel", FirmwareVersion = "1.0" };

        var line = EventText.Line(e);

        Assert.DoesNotContain(line, char.IsControl);
        Assert.Contains("model=evil [2J model", line);
    }
}
