using Provisioning.Southbound.Cwmp.Methods;
using Provisioning.Southbound.Cwmp.Sessions;

namespace Provisioning.Southbound.Cwmp.Tests.Sessions;

/// <summary>What the ACS remembers of transfers is bounded in time and in count, and never at the cost of a call waiting for one.</summary>
public sealed class TransferOutcomesTests
{
    private static ReportedTransfer Reported(string commandKey, uint fault = 0) =>
        new(new TransferComplete(commandKey, new FaultStruct(fault, ""), "", ""), "2.0", "Device.");

    [Fact]
    public async Task A_kept_outcome_is_forgotten_after_the_retention()
    {
        using var transfers = new TransferOutcomes(new CwmpOptions { TransferRetention = TimeSpan.FromSeconds(1) });
        transfers.Report("SN-1", Reported("k"), null);
        Assert.True(transfers.Find("SN-1", "k")!.IsReported);
        Assert.Null(transfers.Find("SN-2", "k")); // by device and CommandKey
        Assert.Null(transfers.Find("SN-1", "other"));

        await Task.Delay(1300);
        Assert.Null(transfers.Find("SN-1", "k"));
    }

    [Fact]
    public async Task A_full_table_keeps_no_more_than_its_bound_and_still_hands_a_waiting_call_its_outcome()
    {
        using var transfers = new TransferOutcomes(new CwmpOptions { MaxTransfers = 10 });
        var awaited = transfers.Expect("SN-W", "mine");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var waiting = transfers.WaitAsync("SN-W", "mine", awaited, "wf-1", deadline.Token);

        for (var i = 0; i < 50; i++) transfers.Report("SN-" + i, Reported("k" + i), null);
        Assert.InRange(transfers.Count, 0, 10);
        Assert.True(transfers.Report("SN-W", Reported("mine", 9010), null));

        var outcome = await waiting;
        Assert.Equal(9010u, outcome.Transfer.Fault.FaultCode);
    }
}
