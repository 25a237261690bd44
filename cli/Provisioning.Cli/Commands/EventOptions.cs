using System.CommandLine;
using Provisioning.Cli.Events;
using Provisioning.Cli.Output;
using Provisioning.Contracts.Northbound;

namespace Provisioning.Cli.Commands;

/// <summary>Options shared by watch and replay, and how they turn into a request and criteria.</summary>
internal static class EventOptions
{
    public static Option<DateTimeOffset?> Time(string name, string description) => new(name)
    {
        Description = $"{description} ({TimeArgument.Help})",
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (TimeArgument.TryParse(text, DateTimeOffset.UtcNow, out var value)) return value;
            result.AddError($"{name} '{text}' is not a time: use {TimeArgument.Help}");
            return null;
        },
    };

    public static Option<WorkflowResult?> Result() => Enum<WorkflowResult>("--result", "Workflow result");

    public static Option<WorkflowStep?> Step() => Enum<WorkflowStep>("--step", "Workflow step");

    private static Option<T?> Enum<T>(string name, string what) where T : struct, System.Enum => new(name)
    {
        HelpName = name.TrimStart('-'),
        Description = $"{what}: {string.Join(", ", ProtoNames.Names<T>())}",
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (text.Length > 0 && ProtoNames.TryParse<T>(text, out var value)) return value;
            result.AddError($"{name} '{text}' is not one of: {string.Join(", ", ProtoNames.Names<T>())}");
            return null;
        },
    };

    public static StreamProvisioningEventsRequest Request(string? serial, string? workflow, long afterPosition, bool follow)
    {
        if (serial is not null && workflow is not null)
            throw new CliException("--serial and --workflow cannot be combined (a workflow belongs to one device)");
        var request = new StreamProvisioningEventsRequest { AfterPosition = afterPosition, Follow = follow };
        if (serial is not null) request.SerialNumber = serial;
        if (workflow is not null) request.WorkflowId = workflow;
        return request;
    }

    public static ReplayCriteria Validate(ReplayCriteria criteria) =>
        criteria.Since is { } since && criteria.Until is { } until && until < since
            ? throw new CliException($"--until ({until:O}) is before --since ({since:O})")
            : criteria;
}
