using Grpc.Core;
using Marten;
using Marten.Linq.MatchesSql;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Orchestrator.Devices;

namespace Provisioning.Orchestrator.Grpc;

public sealed partial class DeviceContactsGrpcService
{
    public const int DefaultBrokerLoginPage = 1000;
    public const int MaxBrokerLoginPage = 5000;

    /// <summary>
    /// One page of the agents' broker logins (endpoint id and mosquitto hash), in endpoint id order: a controller's local
    /// broker lets in only these agents. Keyset paging (after the last endpoint id) over the indexed endpoint_id column,
    /// so a page costs the same however far into the inventory it is.
    /// </summary>
    public override async Task<ListAgentBrokerLoginsResponse> ListAgentBrokerLogins(ListAgentBrokerLoginsRequest request, ServerCallContext context)
    {
        new RequestValidation()
            .Limit("after_endpoint_id", request.AfterEndpointId, 128)
            .Check(request.PageSize >= 0, "page_size", "must not be negative")
            .ThrowIfInvalid();
        var size = request.PageSize == 0 ? DefaultBrokerLoginPage : Math.Min(request.PageSize, MaxBrokerLoginPage);
        var after = request.AfterEndpointId;
        await using var session = store.QuerySession();
        var page = await session.Query<DeviceRecord>()
            .Where(d => d.Protocol == DeviceProtocol.Usp && d.AgentBrokerPasswordHash != "" && d.EndpointId != "")
            .Where(d => d.MatchesSql("d.endpoint_id > ?", after))
            .OrderBy(d => d.EndpointId)
            .Take(size + 1)
            .ToListAsync(context.CancellationToken);
        var response = new ListAgentBrokerLoginsResponse();
        response.Logins.Add(page.Take(size).Select(d => new AgentBrokerLogin { EndpointId = d.EndpointId, PasswordHash = d.AgentBrokerPasswordHash }));
        if (page.Count > size) response.NextAfterEndpointId = page[size - 1].EndpointId;
        return response;
    }
}
