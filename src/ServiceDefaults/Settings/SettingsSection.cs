using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Provisioning.ServiceDefaults.Settings;

/// <summary>
/// The one way a host reads a configuration section: the standard binder (so a duration is a TimeSpan everywhere,
/// "00:00:30"; "30" is thirty days), validated against the options' attributes with the key named, both when the host
/// is built (listeners are sized from these values) and through <c>ValidateOnStart</c> for readers of
/// <see cref="IOptions{TOptions}"/>. A value that does not convert fails the build naming its key as well (the binder's
/// own message).
/// </summary>
public static class SettingsSection
{
    public static TOptions AddSettings<TOptions>(this IHostApplicationBuilder builder, string section) where TOptions : class, new()
    {
        var configuration = builder.Configuration.GetSection(section);
        builder.Services.AddOptions<TOptions>().Bind(configuration).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TOptions>>(new SettingsValidation<TOptions>(section));
        var options = configuration.Get<TOptions>() ?? new TOptions();
        SettingsValidation<TOptions>.ThrowIfInvalid(section, options);
        return options;
    }
}
