using Provisioning.ServiceDefaults.Settings;
using Microsoft.Extensions.DependencyInjection.Extensions;
using JasperFx;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Npgsql;
using Polly;
using Polly.Retry;
using Provisioning.Orchestrator.Campaigns;
using Provisioning.Orchestrator.Campaigns.Events;
using Provisioning.Orchestrator.Coordination;
using Provisioning.Orchestrator.Devices;
using Provisioning.Orchestrator.Feed;
using Provisioning.Orchestrator.Reports;
using Provisioning.Orchestrator.Security;
using Provisioning.Orchestrator.ServicePlans;
using Provisioning.Orchestrator.Storage;
using Provisioning.Orchestrator.Workflows;
using Provisioning.Orchestrator.Workflows.Events;
using Weasel.Core;

namespace Provisioning.Orchestrator.Extensions;

public static class StoreExtensions
{
    public const string ConnectionStringName = "Marten";

    /// <summary>
    /// Marten on PostgreSQL: one event stream per workflow, the inline workflow summary, the async device-history and
    /// failure-statistics projections. With no connection string configured, refuses to start.
    /// </summary>
    public static async Task<WebApplicationBuilder> AddProvisioningStoreAsync(this WebApplicationBuilder builder)
    {
        var settings = builder.AddSettings<ProvisioningStoreOptions>(ProvisioningStoreOptions.Section);
        var daemonMode = settings.DaemonMode;
        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName);
        // A production host never starts a database of its own: the embedded one is the launcher's (./scripts/run.sh).
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new MissingSettingException(
                $"No PostgreSQL is configured: set ConnectionStrings__{ConnectionStringName} (a Npgsql connection string). "
                + "To run everything on this machine with an embedded PostgreSQL, use ./scripts/run.sh (the launcher, src/Launcher).");

        connectionString = StatementPreparation.WithAutoPrepare(connectionString);
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
        builder.Services.AddSingleton<FeedSignal>();
        // Devices' contact state in memory, kept right by this instance's commits and every instance's NOTIFY.
        builder.Services.AddSingleton<DeviceContactCache>();
        builder.Services.AddSingleton<DeviceChangeListener>();
        // The event feed reads through a pool of its own: live followers must not queue for a connection behind a
        // storm's workflow writes (the shared pool is where ~all of those wait).
        builder.Services.AddKeyedSingleton(EventFeed.ConnectionPool, (_, _) => NpgsqlDataSource.Create(
            new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "cpe-feed", MaxPoolSize = 20 }.ConnectionString));
        builder.Services.AddSingleton<SequenceGaps>();
        builder.Services.AddSingleton<EventFeed>();
        builder.Services.AddSingleton<FeedAdmission>();
        builder.AddSettings<FeedOptions>(FeedOptions.Section);

        var marten = builder.Services.AddMarten(services =>
        {
            var options = new StoreOptions();
            ConfigureProvisioningStore(options, connectionString);
            CoordinationSchema.Register(options);
            options.Listeners.Add(services.GetRequiredService<FeedSignal>());
            options.Listeners.Add(services.GetRequiredService<DeviceChangeListener>());
            return options;
        }).UseLightweightSessions().ApplyAllDatabaseChangesOnStartup();

        // Marten's own daemon coordinator: Solo runs every async projection here; HotCold ("Elected") runs each one in
        // the instance holding its advisory lock and moves it to another instance when that one stops. Disabled
        // registers nothing (Marten then warns at start that the async projections will not run here, which is true).
        if (daemonMode != DaemonMode.Disabled) marten.AddAsyncDaemon(daemonMode);

        builder.Services.AddHostedService<EventNotifications>();

        builder.Services.AddSingleton<IServiceProfileSource, MartenServiceProfileSource>();
        builder.Services.AddSingleton<ModelProfileCatalog>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>
    /// The store's schema, serialisation, event types, projections and documents — shared by the orchestrator and the
    /// benchmark's Marten reference, so the reference measures exactly what the orchestrator writes.
    /// </summary>
    public static void ConfigureProvisioningStore(StoreOptions options, string connectionString)
    {
        options.Connection(StatementPreparation.WithAutoPrepare(connectionString));
        options.DatabaseSchemaName = "provisioning";
        options.UseSystemTextJsonForSerialization(EnumStorage.AsString, configure: json => json.Converters.Add(new NulFreeStrings()));
        options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
        // Reads ride out a store that is briefly away (a restart, a failover, a storm's wait for a connection timing
        // out) for about 15 s before the caller sees the error, instead of each caller looping on its own. Commits
        // keep Marten's narrow default: the workflow driver retries its appends at the version it decided on.
        options.ExtendPolly(reads => reads.AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<NpgsqlException>(e => e.IsTransient),
            MaxRetryAttempts = 6,
            BackoffType = DelayBackoffType.Exponential,
            Delay = TimeSpan.FromMilliseconds(250),
            MaxDelay = TimeSpan.FromSeconds(5),
            UseJitter = true,
        }));
        ConfigureEvents(options);
        ConfigureDocuments(options);
    }

    private static void ConfigureEvents(StoreOptions options)
    {
        options.Events.AddEventType<ProvisioningRequested>();
        options.Events.AddEventType<DeviceAuthenticated>();
        options.Events.AddEventType<ServiceProfileFetched>();
        options.Events.AddEventType<ConfigPushed>();
        options.Events.AddEventType<ConfigVerified>();
        options.Events.AddEventType<ProvisioningSucceeded>();
        options.Events.AddEventType<ProvisioningFailed>();
        options.Events.AddEventType<ProvisioningCancelled>();
        options.Events.AddEventType<WorkflowResumed>();
        options.Events.AddEventType<RebootAccepted>();
        options.Events.AddEventType<FactoryResetAccepted>();
        options.Events.AddEventType<ParametersRead>();
        options.Events.AddEventType<ParametersWritten>();
        options.Events.AddEventType<FirmwareUpgraded>();
        options.Events.AddEventType<FirmwareCurrent>();
        // Admin audit (own streams, not workflow events).
        options.Events.AddEventType<InventoryChanged>();
        options.Events.AddEventType<ServicePlansChanged>();
        options.Events.AddEventType<ProjectionsRebuilt>();
        options.Events.AddEventType<ModelProfilesChanged>();
        options.Events.AddEventType<DeviceParametersSet>();
        options.Events.AddEventType<FirmwareUpgradeOrdered>();
        // A device's own stream (refused contacts, credential life cycle, factory resets): not workflow events either.
        options.Events.AddEventType<DeviceContactRefused>();
        options.Events.AddEventType<CredentialPending>();
        options.Events.AddEventType<CredentialAdopted>();
        options.Events.AddEventType<CredentialNotAdopted>();
        options.Events.AddEventType<FactoryResetDetected>();
        // A rollout campaign's own stream.
        options.Events.AddEventType<CampaignStarted>();
        options.Events.AddEventType<CampaignWaveCompleted>();
        options.Events.AddEventType<CampaignPaused>();
        options.Events.AddEventType<CampaignResumed>();
        options.Events.AddEventType<CampaignAborted>();
        options.Events.AddEventType<CampaignCompleted>();

        options.Projections.Add<WorkflowSummaryProjection>(ProjectionLifecycle.Inline);
        options.Projections.Add<CampaignSummaryProjection>(ProjectionLifecycle.Inline);
        options.Projections.Add<DeviceHistoryProjection>(ProjectionLifecycle.Async);
        options.Projections.Add<FailureStatisticsProjection>(ProjectionLifecycle.Async);
    }

    private static void ConfigureDocuments(StoreOptions options)
    {
        options.Schema.For<WorkflowSummary>()
            .Duplicate(w => w.SerialNumber)
            .Duplicate(w => w.Status)
            .Duplicate(w => w.CreatedAt)
            .Duplicate(w => w.CampaignId);
        options.Schema.For<CampaignSummary>().Duplicate(c => c.State).Duplicate(c => c.CreatedAt);
        options.Schema.For<DeviceRecord>()
            .Duplicate(d => d.EndpointId)
            .Duplicate(d => d.CwmpUsername);
        options.Schema.For<ServicePlanDocument>();
        options.Schema.For<ModelProfileDocument>();
        options.Schema.For<ActiveWorkflowClaim>();
        options.Schema.For<ProvisionRequestRecord>();
        options.Schema.For<FailureStatistic>().Duplicate(f => f.Hour);
        options.Schema.For<DeviceHistory>();
        options.Schema.For<DeviceRoute>();
        options.Schema.For<DeviceCredential>().Duplicate(c => c.PreviousUsername);
        options.Schema.For<ContactWindow>().Duplicate(w => w.DeviceKey).Duplicate(w => w.WindowStart);
        options.Schema.For<ContactOverflow>().Duplicate(o => o.WindowStart);
    }
}
