using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Provisioning.Contracts.Northbound;

namespace Provisioning.Cli.Server;

/// <summary>The gRPC clients of the northbound API over one channel, with the bearer token on every call.</summary>
public sealed class ServerConnection : IDisposable
{
    /// <summary>Deadline for ordinary calls; streams have none, admin rebuilds get a longer one.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    private readonly GrpcChannel _channel;

    private ServerConnection(Uri address, GrpcChannel channel, CallInvoker invoker)
    {
        Address = address;
        _channel = channel;
        Provisioning = new ProvisioningService.ProvisioningServiceClient(invoker);
        Inventory = new InventoryService.InventoryServiceClient(invoker);
        Campaigns = new CampaignService.CampaignServiceClient(invoker);
    }

    public Uri Address { get; }
    public ProvisioningService.ProvisioningServiceClient Provisioning { get; }
    public InventoryService.InventoryServiceClient Inventory { get; }
    public CampaignService.CampaignServiceClient Campaigns { get; }

    public static DateTime Deadline(TimeSpan? timeout = null) => DateTime.UtcNow + (timeout ?? CallTimeout);

    public static ServerConnection Open(string server, string? token)
    {
        if (!Uri.TryCreate(server, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
            throw new CliException($"--server '{server}' is not an http:// or https:// address");

        var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                // Fail fast on a wrong address instead of the OS's long SYN retry.
                ConnectTimeout = TimeSpan.FromSeconds(5),
                EnableMultipleHttp2Connections = true,
            },
            MaxReceiveMessageSize = 64 * 1024 * 1024,
        });
        var invoker = channel.CreateCallInvoker();
        if (!string.IsNullOrWhiteSpace(token))
        {
            invoker = invoker.Intercept(metadata =>
            {
                metadata.Add("authorization", $"Bearer {token}");
                return metadata;
            });
        }
        return new ServerConnection(address, channel, invoker);
    }

    public void Dispose() => _channel.Dispose();
}
