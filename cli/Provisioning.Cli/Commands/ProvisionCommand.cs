using System.CommandLine;
using Provisioning.Cli.Server;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Spectre.Console;

namespace Provisioning.Cli.Commands;

/// <summary>`cpe provision`: start provisioning one device, optionally waiting and showing its steps.</summary>
internal static class ProvisionCommand
{
    public static Command Create(CliContext context)
    {
        var serial = new Option<string>("--serial") { Description = "Device serial number", Required = true };
        var oui = new Option<string>("--oui") { Description = "Manufacturer OUI (6 hex digits)", Required = true };
        var productClass = new Option<string>("--product-class") { Description = "Product class (CWMP DeviceId.ProductClass)", DefaultValueFactory = _ => "" };
        var protocol = new Option<string>("--protocol") { Description = "cwmp (TR-069) or usp (TR-369)", Required = true };
        protocol.AcceptOnlyFromAmong("cwmp", "usp");
        var endpointId = new Option<string?>("--endpoint-id") { Description = "USP agent endpoint ID (default os::<OUI>-<serial>)" };
        var plan = new Option<string?>("--plan") { Description = "Service plan to use instead of the inventory's" };
        var requestId = new Option<string?>("--request-id") { Description = "Idempotency key (default: a new GUID); repeating it returns the same workflow" };
        var wait = new Option<bool>("--wait") { Description = "Wait for the workflow to end, showing each step as it happens" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait with --wait", DefaultValueFactory = _ => 300 };

        var command = new Command("provision", "Start provisioning a device")
        {
            serial, oui, productClass, protocol, endpointId, plan, requestId, wait, timeout,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var deviceProtocol = parse.GetValue(protocol) == "usp" ? DeviceProtocol.Usp : DeviceProtocol.Cwmp;
            var device = new DeviceRef
            {
                SerialNumber = parse.GetRequiredValue(serial),
                Oui = parse.GetRequiredValue(oui),
                ProductClass = parse.GetValue(productClass) ?? "",
                Protocol = deviceProtocol,
                EndpointId = parse.GetValue(endpointId)
                    ?? (deviceProtocol == DeviceProtocol.Usp ? $"os::{parse.GetRequiredValue(oui)}-{parse.GetRequiredValue(serial)}" : ""),
            };
            using var connection = context.Connect(parse);
            var response = await connection.Provisioning.ProvisionDeviceAsync(new ProvisionDeviceRequest
            {
                Device = device,
                ServicePlanOverride = parse.GetValue(plan) ?? "",
                RequestId = parse.GetValue(requestId) ?? Guid.NewGuid().ToString(),
            }, deadline: ServerConnection.Deadline(), cancellationToken: cancellationToken);

            var workflow = response.Workflow;
            var note = response.Replayed ? " (request id seen before: this is the workflow it started)"
                : response.Existing ? " (the device already had an active workflow)" : "";
            context.Console.MarkupLine(Markup.Escape($"workflow {workflow.WorkflowId} for {device.SerialNumber}{note}"));
            if (!parse.GetValue(wait)) return ExitCodes.Success;
            return await WorkflowFollower.FollowAsync(
                connection, context.Console, workflow.WorkflowId, TimeSpan.FromSeconds(parse.GetValue(timeout)), cancellationToken);
        });
        return command;
    }
}
