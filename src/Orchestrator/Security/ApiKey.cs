namespace Provisioning.Orchestrator.Security;

/// <summary>A static bearer key from configuration ("Auth:ApiKeys:&lt;name&gt;:Key" / ":Role"); the name is the principal's name.</summary>
public sealed record ApiKey(string Name, string Key, string Role)
{
    // The key itself never appears in a log of this record.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Name = ").Append(Name).Append(", Role = ").Append(Role);
        return true;
    }
}
