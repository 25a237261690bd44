using Grpc.Core;
using Marten;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Northbound;
using Provisioning.Orchestrator.Feed;
using Provisioning.Orchestrator.Reports;
using Provisioning.Orchestrator.Workflows;
using Provisioning.Orchestrator.Workflows.Events;
using Domain = Provisioning.Orchestrator.Workflows;

namespace Provisioning.Orchestrator.Grpc;

/// <summary>The northbound API: map the request, call the domain, map the answer.</summary>
public sealed partial class ProvisioningGrpcService(
    WorkflowStarter starter,
    WorkflowStore workflows,
    OperationSecrets secrets,
    Microsoft.AspNetCore.Authorization.IAuthorizationService authorization,
    WorkflowCanceller canceller,
    EventFeed feed,
    FeedAdmission admission,
    Microsoft.Extensions.Options.IOptions<FeedOptions> feedOptions,
    IDocumentStore store) : ProvisioningService.ProvisioningServiceBase
{
    public override async Task<ProvisionDeviceResponse> ProvisionDevice(ProvisionDeviceRequest request, ServerCallContext context)
    {
        var device = request.Device;
        var validation = new RequestValidation();
        if (device is null) validation.Fail("device", "is required");
        else
        {
            validation.Require("device.serial_number", device.SerialNumber, 64)
                .Limit("device.oui", device.Oui, 6)
                .Check(device.Oui.All(Uri.IsHexDigit), "device.oui", "must be 6 hexadecimal digits")
                .Limit("device.product_class", device.ProductClass, 64)
                .Limit("device.endpoint_id", device.EndpointId, 128)
                .Check(device.Protocol is DeviceProtocol.Cwmp or DeviceProtocol.Usp, "device.protocol", "must be DEVICE_PROTOCOL_CWMP or DEVICE_PROTOCOL_USP");
        }
        validation.Limit("service_plan_override", request.ServicePlanOverride, 128)
            .Limit("request_id", request.RequestId, 128);
        validation.ThrowIfInvalid();

        var outcome = await starter.StartAsync(new StartRequest(
            new DeviceDescriptor(device!.SerialNumber.Trim(), device.Oui.ToUpperInvariant(), device.ProductClass, device.Protocol, device.EndpointId),
            string.IsNullOrEmpty(request.RequestId) ? null : request.RequestId,
            Domain.WorkflowTrigger.Oss,
            string.IsNullOrWhiteSpace(request.ServicePlanOverride) ? null : request.ServicePlanOverride),
            context.CancellationToken);
        return new ProvisionDeviceResponse { Workflow = outcome.Workflow.ToWire(), Existing = outcome.Existing, Replayed = outcome.Replayed };
    }

    public override async Task<Workflow> GetWorkflow(GetWorkflowRequest request, ServerCallContext context)
    {
        var id = RequestValidation.ParseWorkflowId(request.WorkflowId);
        await using var session = store.QuerySession();
        var summary = await session.LoadAsync<WorkflowSummary>(id, context.CancellationToken)
            ?? throw RequestValidation.NotFound($"workflow {id} not found");
        return summary.ToWire();
    }

    public override async Task<ListWorkflowsResponse> ListWorkflows(ListWorkflowsRequest request, ServerCallContext context)
    {
        var validation = new RequestValidation()
            .Limit("serial_number", request.SerialNumber, 64)
            .Check(request.PageSize is >= 0 and <= 1000, "page_size", "must be between 0 and 1000");
        var createdFrom = validation.Time("created_from", request.CreatedFrom);
        var createdTo = validation.Time("created_to", request.CreatedTo);
        var offset = 0;
        if (!string.IsNullOrEmpty(request.PageToken) && (!int.TryParse(request.PageToken, out offset) || offset < 0))
            validation.Fail("page_token", "is not a token from a previous page");
        validation.ThrowIfInvalid();

        var pageSize = request.PageSize == 0 ? 50 : request.PageSize;
        await using var session = store.QuerySession();
        IQueryable<WorkflowSummary> query = session.Query<WorkflowSummary>();
        if (!string.IsNullOrEmpty(request.SerialNumber)) query = query.Where(w => w.SerialNumber == request.SerialNumber);
        if (request.State.FromWire() is { } status) query = query.Where(w => w.Status == status);
        if (request.Result.FromWire() is { } result) query = query.Where(w => w.Result == result);
        if (request.Kind.FromWire() is { } kind) query = query.Where(w => w.Kind == kind);
        if (createdFrom is { } f) query = query.Where(w => w.CreatedAt >= f);
        if (createdTo is { } t) query = query.Where(w => w.CreatedAt < t);
        var page = await query.OrderByDescending(w => w.CreatedAt).ThenBy(w => w.Id).Skip(offset).Take(pageSize + 1).ToListAsync(context.CancellationToken);

        var response = new ListWorkflowsResponse();
        response.Workflows.AddRange(page.Take(pageSize).Select(w => w.ToWire()));
        if (page.Count > pageSize) response.NextPageToken = (offset + pageSize).ToString();
        return response;
    }

    public override async Task<Workflow> CancelWorkflow(CancelWorkflowRequest request, ServerCallContext context)
    {
        var id = RequestValidation.ParseWorkflowId(request.WorkflowId);
        new RequestValidation().Limit("reason", request.Reason, 512).ThrowIfInvalid();
        var summary = await canceller.CancelAsync(id, string.IsNullOrWhiteSpace(request.Reason) ? "cancelled by operator" : request.Reason,
            context.GetHttpContext().User.Identity?.Name ?? "operator", context.CancellationToken)
            ?? throw RequestValidation.NotFound($"workflow {id} not found");
        return summary.ToWire();
    }

    public override async Task<ProvisionDeviceResponse> RetryWorkflow(RetryWorkflowRequest request, ServerCallContext context)
    {
        var id = RequestValidation.ParseWorkflowId(request.WorkflowId);
        new RequestValidation().Limit("request_id", request.RequestId, 128).ThrowIfInvalid();
        await using var session = store.QuerySession();
        var original = await session.LoadAsync<WorkflowSummary>(id, context.CancellationToken)
            ?? throw RequestValidation.NotFound($"workflow {id} not found");
        if (!original.IsTerminal || original.Result == Domain.WorkflowResult.Success)
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"workflow {id} is {original.Status}: only a failed or cancelled workflow can be retried"));

        var outcome = await starter.StartAsync(await RetryOfOperationAsync(original, new StartRequest(
            original.Device,
            string.IsNullOrEmpty(request.RequestId) ? null : request.RequestId,
            Domain.WorkflowTrigger.Retry,
            original.ServicePlanOverride,
            original.Id), context), context.CancellationToken);
        return new ProvisionDeviceResponse { Workflow = outcome.Workflow.ToWire(), Existing = outcome.Existing, Replayed = outcome.Replayed };
    }

    private static readonly WriteOptions BufferedWrite = new(WriteFlags.BufferHint);

    public override async Task StreamProvisioningEvents(StreamProvisioningEventsRequest request, IServerStreamWriter<ProvisioningEvent> responseStream, ServerCallContext context)
    {
        var validation = new RequestValidation()
            .Check(request.AfterPosition >= 0, "after_position", "must not be negative")
            .Limit("serial_number", request.SerialNumber, 64);
        Guid? workflowId = null;
        if (request.FilterCase == StreamProvisioningEventsRequest.FilterOneofCase.WorkflowId)
        {
            if (Guid.TryParse(request.WorkflowId, out var id)) workflowId = id;
            else validation.Fail("workflow_id", "is not a workflow id (UUID)");
        }
        validation.ThrowIfInvalid();
        var serial = request.FilterCase == StreamProvisioningEventsRequest.FilterOneofCase.SerialNumber ? request.SerialNumber : null;

        var caller = context.GetHttpContext().User.Identity?.Name ?? "anonymous";
        using var slot = admission.Admit(caller);
        // Admitted: said at once, so a follower waiting for events knows it holds a stream (and a refused one knows it does not).
        await context.WriteResponseHeadersAsync([]);
        var slowAfter = feedOptions.Value.SlowFollowerTimeout;
        using var stream = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        try
        {
            await foreach (var batch in feed.ReadBatchesAsync(new FeedFilter(workflowId, serial), request.AfterPosition, request.Follow, stream.Token))
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    // One flush per batch (the last event's write), not per event: each flush may wait for the transport's
                    // turn in a thread pool busy with a storm.
                    responseStream.WriteOptions = i < batch.Count - 1 ? BufferedWrite : null;
                    // A follower that stops reading holds its page and the HTTP/2 window: it is ended, not waited for. The timer
                    // is armed only for a write that has to wait (most complete at once into the transport's buffer).
                    var write = responseStream.WriteAsync(batch[i].ToWire(), stream.Token);
                    if (!write.IsCompleted)
                    {
                        stream.CancelAfter(slowAfter);
                        await write;
                        stream.CancelAfter(Timeout.InfiniteTimeSpan);
                    }
                    else await write;
                }
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The follower went away.
        }
        catch (OperationCanceledException) when (stream.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted,
                $"the follower did not take an event within {slowAfter.TotalSeconds:0.#} s (Feed:SlowFollowerTimeout); resume from the last position received"));
        }
    }

    public override async Task<DeviceHistory> GetDeviceHistory(GetDeviceHistoryRequest request, ServerCallContext context)
    {
        new RequestValidation().Require("serial_number", request.SerialNumber, 64).ThrowIfInvalid();
        await using var session = store.QuerySession();
        var history = await session.LoadAsync<Devices.DeviceHistory>(request.SerialNumber, context.CancellationToken);
        var response = new DeviceHistory { SerialNumber = request.SerialNumber };
        // What happened at the device's door (its own stream), whether or not it ever had a workflow.
        response.Contacts.AddRange(await ContactHistoryMapping.ReadAsync(session, request.SerialNumber, context.CancellationToken));
        if (await session.LoadAsync<Devices.DeviceRecord>(request.SerialNumber, context.CancellationToken) is { } record)
            response.CredentialState = Devices.CredentialLifecycle.StateOf(record, await session.LoadAsync<Devices.DeviceCredential>(request.SerialNumber, context.CancellationToken));
        if (history is null) return response;
        response.Entries.AddRange(history.Entries.OrderByDescending(e => e.StartedAt).Select(e => new DeviceHistoryEntry
        {
            WorkflowId = e.WorkflowId.ToString(),
            Result = e.Result.ToWire(),
            FailedStep = e.FailedStep.ToWire(),
            FaultCode = e.FaultCode,
            FailureReason = e.FailureReason ?? "",
            TraceId = e.TraceId,
            ServicePlan = e.ServicePlan ?? "",
            Model = e.Model ?? "",
            FirmwareVersion = e.FirmwareVersion ?? "",
            StartedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(e.StartedAt),
            CompletedAt = e.CompletedAt is { } c ? Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(c) : null,
            Trigger = e.Trigger.ToWire(),
            Kind = e.Kind.ToWire(),
        }));
        return response;
    }

    public override async Task<FailureReport> GetFailureReport(GetFailureReportRequest request, ServerCallContext context)
    {
        var validation = new RequestValidation();
        var from = validation.Time("from", request.From) ?? DateTimeOffset.MinValue;
        var to = validation.Time("to", request.To) ?? DateTimeOffset.MaxValue;
        validation.Check(from <= to, "from", "must not be after 'to'").ThrowIfInvalid();
        var fromHour = FailureStatistic.HourOf(from == DateTimeOffset.MinValue ? DateTimeOffset.UnixEpoch : from);

        await using var session = store.QuerySession();
        var statistics = await session.Query<FailureStatistic>()
            .Where(s => s.Hour >= fromHour && s.Hour < to)
            .ToListAsync(context.CancellationToken);

        var report = new FailureReport();
        foreach (var group in statistics
                     .GroupBy(s => (s.Step, s.Result, s.FaultCode, s.Model, s.FirmwareVersion, s.ServicePlan, s.ParameterFaultCodes))
                     .Select(g => (g.Key, Count: g.Sum(s => s.Count)))
                     .OrderByDescending(g => g.Count))
        {
            report.Rows.Add(new FailureReportRow
            {
                Step = group.Key.Step.ToWire(),
                Result = ((Domain.WorkflowResult?)group.Key.Result).ToWire(),
                FaultCode = group.Key.FaultCode,
                Model = group.Key.Model,
                FirmwareVersion = group.Key.FirmwareVersion,
                ServicePlan = group.Key.ServicePlan,
                Count = group.Count,
                // Stored by older versions without it: null reads as none.
                ParameterFaultCodes = { (group.Key.ParameterFaultCodes ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(uint.Parse) },
            });
            report.TotalFailed += group.Count;
        }
        var (refusals, totalRefused) = await RefusalStatistics.ReadAsync(session, from, to, context.CancellationToken);
        report.Refusals.AddRange(refusals);
        report.TotalRefused = totalRefused;
        return report;
    }
}
