using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Provisioning.Orchestrator.Firmware;

namespace Provisioning.Orchestrator.Tests.Firmware;

public sealed class FirmwareImageTokenTests
{
    [Fact]
    public void A_token_expires_after_its_lifetime()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var tokens = new FirmwareImageTokens(new EphemeralDataProtectionProvider(),
            Options.Create(new FirmwareImageOptions { TokenLifetime = TimeSpan.FromHours(2) }), clock);
        var token = tokens.Issue("campaign-7", "image.bin");

        clock.Advance(TimeSpan.FromMinutes(119));
        Assert.True(tokens.Admits(token, "campaign-7", "image.bin"));
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.False(tokens.Admits(token, "campaign-7", "image.bin"));
    }
}
