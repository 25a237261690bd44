namespace Provisioning.Testing;

/// <summary>
/// Marks a test assembly whose tests stop or restart PostgreSQL: its process gets a local cluster of its own
/// (<see cref="PostgresServer.Embedded"/>) instead of the run's shared one, which other processes are using.
/// PROVISIONING_TEST_POSTGRES_PRIVATE=1 does the same for every assembly (to compare, or to rule the sharing out).
/// </summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class PrivatePostgresAttribute : Attribute
{
    internal static bool IsDeclared() =>
        Environment.GetEnvironmentVariable("PROVISIONING_TEST_POSTGRES_PRIVATE") == "1" ||
        AppDomain.CurrentDomain.GetAssemblies().Any(a => !a.IsDynamic && a.IsDefined(typeof(PrivatePostgresAttribute), inherit: false));
}
