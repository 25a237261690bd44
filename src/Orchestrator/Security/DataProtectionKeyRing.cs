using Microsoft.AspNetCore.DataProtection;
using Npgsql;

namespace Provisioning.Orchestrator.Security;

/// <summary>
/// Loads (or creates) the Data Protection key ring at start under a PostgreSQL advisory lock, so orchestrator instances
/// starting together on a fresh database agree on one key instead of each creating its own and failing to read the
/// other's ciphertext until their next key-ring refresh.
/// </summary>
public sealed class DataProtectionKeyRing(NpgsqlDataSource dataSource, IDataProtectionProvider protection) : IHostedService
{
    private const long LockId = 0x43504550524f54; // "CPEPROT"

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var take = new NpgsqlCommand($"select pg_advisory_lock({LockId})", connection)) await take.ExecuteNonQueryAsync(cancellationToken);
        try
        {
            protection.CreateProtector("Provisioning.Orchestrator.KeyRing").Protect([1]);
        }
        finally
        {
            await using var release = new NpgsqlCommand($"select pg_advisory_unlock({LockId})", connection);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
