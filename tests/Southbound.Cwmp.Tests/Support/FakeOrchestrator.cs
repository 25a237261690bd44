using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Provisioning.Contracts.Common;
using Provisioning.Contracts.Southbound;
using Provisioning.Testing;

namespace Provisioning.Southbound.Cwmp.Tests.Support;

/// <summary>One inventory entry of the stand-in orchestrator.</summary>
public sealed record InventoryEntry(string SerialNumber, string? CwmpUsername = null, string? CwmpPassword = null,
    string ConnectionRequestUsername = "cr-user", string ConnectionRequestPassword = "cr-pass", string ConnectionRequestUrl = "",
    bool Provisioned = false);

/// <summary>
/// A real gRPC DeviceContacts server standing in for the orchestrator in adapter-level tests: records every
/// contact report and answers lookups from an in-memory inventory.
/// </summary>
public sealed class FakeOrchestrator : DeviceContacts.DeviceContactsBase, IAsyncDisposable
{
    private WebApplication? app;

    public ConcurrentQueue<DeviceContactReport> Reports { get; } = new();
    /// <summary>The W3C traceparent each contact report arrived with, by serial number.</summary>
    public ConcurrentDictionary<string, string> ReportTraceParents { get; } = new();
    public ConcurrentDictionary<string, InventoryEntry> Inventory { get; } = new(StringComparer.Ordinal);
    public Func<DeviceContactReport, DeviceContactDecision> Decide { get; set; } = _ => new DeviceContactDecision();
    public int Lookups;
    public string Url { get; private set; } = "";

    public static async Task<FakeOrchestrator> StartAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryStartAsync();
            }
            catch (IOException) when (attempt < 5)
            {
            }
        }
    }

    private static async Task<FakeOrchestrator> TryStartAsync()
    {
        var fake = new FakeOrchestrator();
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ListenLocalhost(port, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(fake);
        fake.app = builder.Build();
        fake.app.MapGrpcService<FakeOrchestrator>();
        await fake.app.StartAsync();
        fake.Url = $"http://localhost:{port}";
        return fake;
    }

    public override Task<DeviceContactDecision> ReportDeviceContact(DeviceContactReport request, ServerCallContext context)
    {
        if (context.RequestHeaders.GetValue("traceparent") is { } traceParent) ReportTraceParents[request.Identity.Device.SerialNumber] = traceParent;
        Reports.Enqueue(request);
        return Task.FromResult(Decide(request));
    }

    public override Task<LookupDeviceResponse> LookupDevice(LookupDeviceRequest request, ServerCallContext context)
    {
        Interlocked.Increment(ref Lookups);
        var entry = !string.IsNullOrEmpty(request.Username)
            ? Inventory.Values.FirstOrDefault(e => e.CwmpUsername == request.Username)
            : Inventory.GetValueOrDefault(request.Device?.SerialNumber ?? "");
        if (entry is null) return Task.FromResult(new LookupDeviceResponse());
        return Task.FromResult(new LookupDeviceResponse
        {
            Registered = true,
            Device = new DeviceRef { SerialNumber = entry.SerialNumber, Protocol = DeviceProtocol.Cwmp },
            CwmpUsername = entry.CwmpUsername ?? "",
            CwmpPasswordHa1 = entry.CwmpUsername is null ? "" : Md5($"{entry.CwmpUsername}:{request.Realm}:{entry.CwmpPassword}"),
            ConnectionRequestUsername = entry.ConnectionRequestUsername,
            ConnectionRequestPassword = entry.ConnectionRequestPassword,
            ConnectionRequestUrl = entry.ConnectionRequestUrl,
            Provisioned = entry.Provisioned,
        });
    }

    public async Task<DeviceContactReport> WaitForReportAsync(Func<DeviceContactReport, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (DateTime.UtcNow < deadline)
        {
            var found = Reports.FirstOrDefault(match);
            if (found is not null) return found;
            await Task.Delay(20);
        }
        throw new TimeoutException("no matching contact report");
    }

    private static string Md5(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));

    public async ValueTask DisposeAsync()
    {
        if (app is not null) await app.DisposeAsync();
    }
}
