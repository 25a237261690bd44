using System.Diagnostics;
using Provisioning.Contracts.Southbound;
using Provisioning.Launcher.Broker;
using Provisioning.Southbound.Usp.Transport.Mqtt;

namespace Provisioning.Southbound.Usp.Tests.Mqtt;

/// <summary>The broker hash is mosquitto's own format: what mosquitto_passwd writes, .NET makes byte for byte.</summary>
public sealed class BrokerPasswordHashTests
{
    [Fact]
    public async Task A_line_mosquitto_passwd_writes_is_what_dotnet_makes_from_the_same_salt()
    {
        var passwd = new[] { "/usr/bin/mosquitto_passwd", "/usr/sbin/mosquitto_passwd" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("mosquitto_passwd is not installed (apt-get install -y mosquitto)");
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "someone:pässword-1\n");
            using (var process = Process.Start(new ProcessStartInfo(passwd, ["-U", file]) { RedirectStandardError = true, RedirectStandardOutput = true })!)
            {
                await process.WaitForExitAsync();
                Assert.Equal(0, process.ExitCode);
            }
            var hash = (await File.ReadAllTextAsync(file)).Trim().Split(':', 2)[1];
            var parts = hash.Split('$');
            Assert.Equal(["", "7", "101"], parts[..3]);
            var salt = Convert.FromBase64String(parts[3]);
            Assert.Equal(BrokerPasswordHash.SaltBytes, salt.Length);

            Assert.Equal(hash, BrokerPasswordHash.Make("pässword-1", salt));
            Assert.True(BrokerPasswordHash.Matches("pässword-1", hash));
            Assert.False(BrokerPasswordHash.Matches("password-1", hash));
            Assert.False(BrokerPasswordHash.IsWellFormed("$7$101$notbase64$"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void An_endpoint_id_becomes_a_username_without_colons_and_one_that_could_name_others_topics_gets_no_login()
    {
        Assert.Equal("os%3A%3A00D09E-X1", BrokerUsername.Of("os::00D09E-X1"));
        Assert.NotEqual(BrokerUsername.Of("os::a%3Ab"), BrokerUsername.Of("os::a:b"));
        Assert.True(BrokerUsername.CanLogIn("os::00D09E-X1"));
        Assert.False(BrokerUsername.CanLogIn("os::00D09E-#"));
        Assert.False(BrokerUsername.CanLogIn("os::00D09E-+"));

        var access = new LocalBrokerAccess("usp-controller", "pw", "usp/controller/c", AllowAnonymousAgents: false);
        var agents = new[] { new BrokerLogin("os::00D09E-X1", BrokerPasswordHash.Make("s")) };
        var acl = access.AclFileText(agents);
        Assert.DoesNotContain("%c", acl, StringComparison.Ordinal);
        Assert.Contains("user os%3A%3A00D09E-X1\ntopic read usp/agent/os::00D09E-X1\n", acl, StringComparison.Ordinal);
        Assert.Contains("pattern read usp/agent/%c", (access with { AllowAnonymousAgents = true }).AclFileText(agents), StringComparison.Ordinal);
        var passwords = access.PasswordFileText(agents);
        Assert.StartsWith("usp-controller:$7$101$", passwords, StringComparison.Ordinal);
        Assert.Contains("\nos%3A%3A00D09E-X1:$7$101$", passwords, StringComparison.Ordinal);
        Assert.DoesNotContain(":pw", passwords, StringComparison.Ordinal);
    }
}
