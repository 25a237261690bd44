using Grpc.Core;
using Provisioning.Cli.Output;
using Provisioning.Cli.Server;
using Provisioning.Contracts.Northbound;
using Spectre.Console;

namespace Provisioning.Cli.Commands;

/// <summary>Shows a workflow's steps as its events arrive, until it ends (provision --wait, retry --wait).</summary>
internal static class WorkflowFollower
{
    public static async Task<int> FollowAsync(
        ServerConnection connection, IAnsiConsole console, string workflowId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        // From position 0 with the workflow filter: the events stored before we subscribed come first.
        using var stream = connection.Provisioning.StreamProvisioningEvents(
            new StreamProvisioningEventsRequest { WorkflowId = workflowId, Follow = true },
            cancellationToken: deadline.Token);
        try
        {
            await foreach (var e in stream.ResponseStream.ReadAllAsync(deadline.Token))
            {
                console.MarkupLine(EventText.Markup(e));
                if (IsTerminal(e)) break;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException || ex is RpcException { StatusCode: StatusCode.Cancelled })
        {
            if (cancellationToken.IsCancellationRequested) throw;
            throw new CliException(
                $"workflow {workflowId} is still running after {timeout.TotalSeconds:0} s; follow it with 'cpe watch --workflow {workflowId}'",
                ExitCodes.Failed);
        }

        var workflow = await connection.Provisioning.GetWorkflowAsync(
            new GetWorkflowRequest { WorkflowId = workflowId }, deadline: ServerConnection.Deadline(), cancellationToken: cancellationToken);
        console.MarkupLine(Summary(workflow));
        return workflow.Result == WorkflowResult.Success ? ExitCodes.Success : ExitCodes.Failed;
    }

    public static bool IsTerminal(ProvisioningEvent e) => e.PayloadCase is
        ProvisioningEvent.PayloadOneofCase.ProvisioningSucceeded or
        ProvisioningEvent.PayloadOneofCase.ProvisioningFailed or
        ProvisioningEvent.PayloadOneofCase.ProvisioningCancelled;

    public static string Summary(Workflow workflow)
    {
        var result = ProtoNames.Short(workflow.Result);
        var text = Markup.Escape(
            $"workflow {workflow.WorkflowId} ({workflow.Device?.SerialNumber}): {(result.Length == 0 ? ProtoNames.Short(workflow.State) : result)}"
            + (workflow.FailedStep != WorkflowStep.Unspecified ? $" at {ProtoNames.Short(workflow.FailedStep)}" : "")
            + (workflow.FaultCode != 0 ? $" fault {workflow.FaultCode}" : "")
            + (workflow.FailureReason.Length > 0 ? $": {workflow.FailureReason}" : "")
            + (workflow.TraceId.Length > 0 ? $"  trace {workflow.TraceId}" : ""));
        return workflow.Result == WorkflowResult.Success ? $"[green]{text}[/]" : workflow.Result == WorkflowResult.Unspecified ? text : $"[red]{text}[/]";
    }
}
