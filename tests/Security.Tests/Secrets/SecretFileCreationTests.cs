using Microsoft.Extensions.Configuration;
using Provisioning.Orchestrator.Security;

namespace Provisioning.Security.Tests.Secrets;

/// <summary>
/// Instances starting at the same moment over one data folder agree on one key ring key and one set of generated
/// keys: none reads the file another has created but not yet written (seen as "does not hold a 32-byte key" in CI).
/// </summary>
public sealed class SecretFileCreationTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "secret-files-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Simultaneous_starts_read_one_key_ring_key()
    {
        for (var round = 0; round < 20; round++)
        {
            var path = Path.Combine(_folder, $"keyring-{round}.key");
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [KeyRingKey.FileSetting] = path }).Build();
            var keys = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Convert.ToBase64String(KeyRingKey.From(configuration).Value))));
            Assert.Single(keys.Distinct());
            Assert.Empty(Directory.GetFiles(_folder, "*.tmp"));
        }
    }

    [Fact]
    public async Task Simultaneous_starts_read_one_set_of_generated_keys()
    {
        for (var round = 0; round < 20; round++)
        {
            var path = Path.Combine(_folder, $"keys-{round}.json");
            var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => GeneratedKeys.LoadOrCreate(path))));
            Assert.Single(results.Select(r => r.Keys).Distinct());
            Assert.Equal(1, results.Count(r => r.Created));
        }
    }
}
