using System.CommandLine;
using Provisioning.Cli.Server;
using Provisioning.Contracts.Northbound;
using Spectre.Console;

namespace Provisioning.Cli.Commands;

/// <summary>`cpe retry` and `cpe cancel`: act on one workflow.</summary>
internal static class WorkflowCommands
{
    public static Command Retry(CliContext context)
    {
        var workflowId = new Argument<string>("workflow") { Description = "Id of the failed workflow" };
        var requestId = new Option<string?>("--request-id") { Description = "Idempotency key (default: a new GUID)" };
        var wait = new Option<bool>("--wait") { Description = "Wait for the new workflow to end, showing its steps" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait with --wait", DefaultValueFactory = _ => 300 };
        var command = new Command("retry", "Start a new workflow for the device of a failed one, linked to it")
        {
            workflowId, requestId, wait, timeout,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var connection = context.Connect(parse);
            var response = await connection.Provisioning.RetryWorkflowAsync(new RetryWorkflowRequest
            {
                WorkflowId = parse.GetRequiredValue(workflowId),
                RequestId = parse.GetValue(requestId) ?? Guid.NewGuid().ToString(),
            }, deadline: ServerConnection.Deadline(), cancellationToken: cancellationToken);
            var workflow = response.Workflow;
            context.Console.MarkupLine(Markup.Escape(
                $"workflow {workflow.WorkflowId} retries {parse.GetRequiredValue(workflowId)} for {workflow.Device?.SerialNumber}"
                + (response.Existing ? " (the device already had an active workflow)" : "")));
            if (!parse.GetValue(wait)) return ExitCodes.Success;
            return await WorkflowFollower.FollowAsync(
                connection, context.Console, workflow.WorkflowId, TimeSpan.FromSeconds(parse.GetValue(timeout)), cancellationToken);
        });
        return command;
    }

    public static Command Cancel(CliContext context)
    {
        var workflowId = new Argument<string>("workflow") { Description = "Id of the running workflow" };
        var reason = new Option<string?>("--reason") { Description = "Why (recorded in the ProvisioningCancelled event)" };
        var command = new Command("cancel", "Cancel a running workflow") { workflowId, reason };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var connection = context.Connect(parse);
            var workflow = await connection.Provisioning.CancelWorkflowAsync(new CancelWorkflowRequest
            {
                WorkflowId = parse.GetRequiredValue(workflowId),
                Reason = parse.GetValue(reason) ?? "",
            }, deadline: ServerConnection.Deadline(), cancellationToken: cancellationToken);
            context.Console.MarkupLine(WorkflowFollower.Summary(workflow));
            return ExitCodes.Success;
        });
        return command;
    }
}
