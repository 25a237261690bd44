using Provisioning.Orchestrator.Firmware;
using Provisioning.ServiceDefaults.Connections;
using Provisioning.ServiceDefaults.Settings;

namespace Provisioning.Orchestrator.Extensions;

/// <summary>The firmware image server: links for devices always; the listener only when an image folder is configured.</summary>
public static class FirmwareImageExtensions
{
    public static WebApplicationBuilder AddFirmwareImages(this WebApplicationBuilder builder)
    {
        var options = builder.AddSettings<FirmwareImageOptions>(FirmwareImageOptions.Section);
        builder.Services.AddSingleton<FirmwareImageFolder>();
        builder.Services.AddSingleton<FirmwareImageTokens>();
        builder.Services.AddSingleton<FirmwareImageLinks>();
        builder.Services.AddSingleton<FirmwareImageEndpoint>();
        if (options.Serving)
        {
            if (!Directory.Exists(options.ImageFolder))
                throw new MissingSettingException($"{FirmwareImageOptions.Section}:ImageFolder '{options.ImageFolder}' is not a folder");
            var budget = builder.AddConnectionBudget(ConnectionBudgets.FirmwareImages);
            builder.WebHost.ConfigureKestrel(kestrel => FirmwareImageListener.Listen(kestrel, options, budget));
        }
        return builder;
    }

    public static WebApplication MapFirmwareImages(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<FirmwareImageFolder>().Serving) return app;
        var endpoint = app.Services.GetRequiredService<FirmwareImageEndpoint>();
        app.MapMethods($"/{FirmwareImageLinks.RoutePrefix}/{{scope}}/{{token}}/{{file}}", [HttpMethods.Get, HttpMethods.Head],
            (HttpContext context, string scope, string token, string file) => endpoint.Serve(context, scope, token, file));
        return app;
    }
}
