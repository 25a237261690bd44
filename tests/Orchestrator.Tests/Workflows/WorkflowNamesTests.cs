using Google.Protobuf.Reflection;
using Provisioning.Orchestrator.Grpc;
using Provisioning.Orchestrator.Workflows;
using Wire = Provisioning.Contracts.Northbound;

namespace Provisioning.Orchestrator.Tests.Workflows;

/// <summary>
/// Logs, metric tags and spans spell results and steps from WorkflowNames; the CLI spells them from the API's enum
/// names. Both must be one spelling.
/// </summary>
public sealed class WorkflowNamesTests
{
    [Fact]
    public void Every_result_is_spelled_as_the_api_names_it()
    {
        foreach (var result in Enum.GetValues<WorkflowResult>())
            Assert.Equal(ApiName(((WorkflowResult?)result).ToWire()), result.Name());
    }

    [Fact]
    public void Every_step_is_spelled_as_the_api_names_it()
    {
        foreach (var step in Enum.GetValues<WorkflowStep>())
            Assert.Equal(ApiName(((WorkflowStep?)step).ToWire()), step.Name());
    }

    private static string ApiName<T>(T value) where T : struct, Enum
    {
        var descriptor = Wire.ProvisioningReflection.Descriptor.EnumTypes.Single(e => e.ClrType == typeof(T));
        var prefix = descriptor.Values[0].Name[..^"UNSPECIFIED".Length];
        return descriptor.FindValueByNumber(Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture)).Name[prefix.Length..].ToLowerInvariant();
    }
}
