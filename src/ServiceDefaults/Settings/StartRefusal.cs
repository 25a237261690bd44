using Microsoft.Extensions.Options;

namespace Provisioning.ServiceDefaults.Settings;

/// <summary>
/// A host's Program: a start refused for its settings (one missing, or one out of range) prints the reason, naming the
/// key, and exits 2, instead of an unhandled exception's stack trace that an operator has to read through.
/// </summary>
public static class StartRefusal
{
    public const int ExitCode = 2;

    public static async Task<int> RunAsync(string host, Func<Task<Microsoft.AspNetCore.Builder.WebApplication>> build)
    {
        try
        {
            var app = await build();
            await app.RunAsync();
            return 0;
        }
        catch (Exception ex) when (ex is MissingSettingException or OptionsValidationException)
        {
            await Console.Error.WriteLineAsync($"{host}: not started: {ex.Message}");
            return ExitCode;
        }
    }
}
