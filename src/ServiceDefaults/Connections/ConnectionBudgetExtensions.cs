using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Provisioning.ServiceDefaults.Connections;

public static class ConnectionBudgetExtensions
{
    /// <summary>The budget of one of this host's listeners, registered so the start-up log names it.</summary>
    public static ConnectionBudget AddConnectionBudget(this WebApplicationBuilder builder, string listener)
    {
        var budget = ConnectionBudgets.For(builder.Configuration, listener);
        builder.Services.AddSingleton(budget);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ConnectionBudgetLog>());
        return budget;
    }

    /// <summary>Marks each request's connection as one that spoke, so a budget spent on silent connections evicts those first.</summary>
    public static IApplicationBuilder UseConnectionBudgets(this IApplicationBuilder app) => app.Use(static (context, next) =>
    {
        ConnectionBudget.Spoke(context);
        return next(context);
    });
}

/// <summary>Says at start what each listener of the host may hold, and the open-file limit it was divided from.</summary>
internal sealed partial class ConnectionBudgetLog(IEnumerable<ConnectionBudget> budgets, ILogger<ConnectionBudgetLog> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Budgets(logger, string.Join(", ", budgets.Select(b => $"{b.Listener} {b.Limit}")), OpenFileLimit.Current, ConnectionBudgets.Section);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(9101, LogLevel.Information, "Connection budgets: {Budgets} (open-file limit {FileLimit}; set {Section}:<listener> to change)")]
    private static partial void Budgets(ILogger logger, string budgets, ulong fileLimit, string section);
}
