using Provisioning.Contracts.Southbound;
using Provisioning.Southbound.Cwmp.Tests.Support;

namespace Provisioning.Southbound.Cwmp.Tests.Sessions;

/// <summary>A session belongs to the connection and the identity that authenticated it; its cookie is not a bearer token.</summary>
public sealed class SessionBindingTests
{
    private static string Answer(string id) => $"""
        <s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:c="urn:dslforum-org:cwmp-1-0">
          <s:Header><c:ID s:mustUnderstand="1">{id}</c:ID></s:Header>
          <s:Body><c:GetParameterValuesResponse><ParameterList><ParameterValueStruct><Name>Device.DeviceInfo.UpTime</Name><Value>42</Value></ParameterValueStruct></ParameterList></c:GetParameterValuesResponse></s:Body>
        </s:Envelope>
        """;

    [Fact]
    public async Task A_borrowed_cookie_from_another_connection_is_refused_and_does_not_receive_the_victims_pending_rpc()
    {
        await using var h = await AcsHarness.StartAsync();
        h.Orchestrator.Inventory["SN-VICTIM"] = new InventoryEntry("SN-VICTIM", "victim", "victim-pw");
        h.Orchestrator.Inventory["SN-THIEF"] = new InventoryEntry("SN-THIEF", "thief", "thief-pw");
        h.Orchestrator.Decide = _ => new DeviceContactDecision { Action = ContactAction.Provision, WorkflowId = "wf-victim", Registered = true };

        using var victim = await KeptAliveConnection.OpenAsync(h.AcsUrl);
        var challenge = (await victim.PostAsync(RawCpe.Inform("SN-VICTIM"))).DigestChallenge;
        var inform = await victim.PostAsync(RawCpe.Inform("SN-VICTIM"), RawCpe.Digest(challenge, "victim", "victim-pw", 1));
        Assert.Equal(200, inform.Status);
        var cookie = inform.Cookie!;

        var verify = new VerifyRequest { Device = AcsHarness.Ref("SN-VICTIM"), WorkflowId = "wf-victim" };
        verify.ParameterNames.Add("Device.DeviceInfo.UpTime");
        var pending = h.Client.VerifyAsync(verify, deadline: AcsHarness.Deadline(15)).ResponseAsync;

        // The cookie alone, from another connection: challenged, nothing handed out.
        var bare = await RawCpe.PostAsync(h.AcsUrl, "", cookie);
        Assert.Equal(401, bare.Status);
        Assert.DoesNotContain("GetParameterValues", bare.Body);

        // The cookie with the thief's own (valid) credential: not the session's device.
        var thiefChallenge = bare.DigestChallenge;
        var asThief = await RawCpe.PostAsync(h.AcsUrl, "", cookie, RawCpe.Digest(thiefChallenge, "thief", "thief-pw", 1));
        Assert.Equal(401, asThief.Status);
        Assert.DoesNotContain("GetParameterValues", asThief.Body);
        var refusal = await h.Orchestrator.WaitForRefusalAsync(r => r.Reason == RefusalReason.OtherDevice);
        Assert.Equal("SN-VICTIM", refusal.Device.SerialNumber);
        Assert.Equal("thief", refusal.Username);

        // The victim, on its own connection, gets its RPC.
        var next = await victim.PostAsync("", cookie: cookie);
        Assert.Equal(200, next.Status);
        Assert.Contains("<cwmp:GetParameterValues>", next.Body);
        var id = next.Body.Split("mustUnderstand=\"1\">")[1].Split('<')[0];
        Assert.Equal(204, (await victim.PostAsync(Answer(id), cookie: cookie)).Status);
        Assert.Equal("42", Assert.Single((await pending).Values).Value);
    }

    [Fact]
    public async Task A_cookie_from_another_connection_with_a_replayed_header_is_refused()
    {
        await using var h = await AcsHarness.StartAsync();
        h.Orchestrator.Inventory["SN-V2"] = new InventoryEntry("SN-V2", "v2", "v2-pw");
        h.Orchestrator.Decide = _ => new DeviceContactDecision { Action = ContactAction.Provision, WorkflowId = "wf-v2", Registered = true };

        using var victim = await KeptAliveConnection.OpenAsync(h.AcsUrl);
        var challenge = (await victim.PostAsync(RawCpe.Inform("SN-V2"))).DigestChallenge;
        var captured = RawCpe.Digest(challenge, "v2", "v2-pw", 1);
        var inform = await victim.PostAsync(RawCpe.Inform("SN-V2"), captured);
        Assert.Equal(200, inform.Status);

        var stolen = await RawCpe.PostAsync(h.AcsUrl, "", inform.Cookie, captured);

        Assert.Equal(401, stolen.Status);
        await h.Orchestrator.WaitForRefusalAsync(r => r.Reason == RefusalReason.Replayed && r.Device.SerialNumber == "SN-V2");
    }
}
