using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Provisioning.ServiceDefaults;

public static class TelemetryExtensions
{
    /// <summary>Every ActivitySource and Meter of the system is named "Provisioning.&lt;Component&gt;".</summary>
    public const string SourcePattern = "Provisioning.*";

    /// <summary>
    /// Set by a host that already owns the process's telemetry (the orchestrator hosting the adapters
    /// in-process): the adapter then adds no provider of its own, so nothing is exported twice.
    /// </summary>
    public const string SharedTelemetryKey = "Telemetry:SharedWithHost";

    /// <summary>
    /// Traces and metrics for the system's sources, ASP.NET Core (gRPC server, ACS, WebSocket) and gRPC
    /// clients, exported over OTLP only when OTEL_EXPORTER_OTLP_ENDPOINT is set (no log spam otherwise).
    /// Service name and resource attributes come from OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES.
    /// </summary>
    public static TBuilder AddProvisioningTelemetry<TBuilder>(this TBuilder builder, string defaultServiceName)
        where TBuilder : IHostApplicationBuilder
    {
        if (builder.Configuration.GetValue<bool>(SharedTelemetryKey)) return builder;

        var exportOtlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService(
                    serviceName: builder.Configuration["OTEL_SERVICE_NAME"] ?? defaultServiceName,
                    serviceInstanceId: $"{Environment.MachineName}-{Environment.ProcessId}")
                .AddEnvironmentVariableDetector())
            .WithTracing(tracing =>
            {
                tracing.AddSource(SourcePattern)
                    .AddAspNetCoreInstrumentation(options => options.RecordException = true)
                    .AddGrpcClientInstrumentation(options => options.SuppressDownstreamInstrumentation = true)
                    .AddNpgsql();
                if (exportOtlp) tracing.AddOtlpExporter();
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(SourcePattern)
                    .AddAspNetCoreInstrumentation();
                if (exportOtlp) metrics.AddOtlpExporter();
            });
        return builder;
    }
}
