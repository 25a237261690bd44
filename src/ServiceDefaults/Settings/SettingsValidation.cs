using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace Provisioning.ServiceDefaults.Settings;

/// <summary>
/// Checks a settings object's validation attributes, its nested settings objects included, and names each problem by
/// its configuration key ("Cwmp:Auth:NonceLifetime: ..."), so an operator sees which variable to fix.
/// </summary>
public sealed class SettingsValidation<TOptions>(string section) : IValidateOptions<TOptions> where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var problems = Problems(section, options).ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    public static void ThrowIfInvalid(string section, TOptions options)
    {
        var problems = Problems(section, options).ToList();
        if (problems.Count > 0) throw new OptionsValidationException(section, typeof(TOptions), problems);
    }

    private static IEnumerable<string> Problems(string key, object options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        foreach (var result in results)
        {
            foreach (var member in result.MemberNames.DefaultIfEmpty(""))
            {
                var property = options.GetType().GetProperty(member);
                var hint = property?.PropertyType == typeof(TimeSpan) ? $" (a duration, hh:mm:ss; got {property.GetValue(options)})" : "";
                yield return $"{key}:{member}: {result.ErrorMessage}{hint}";
            }
        }
        foreach (var property in options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!IsNestedSettings(property.PropertyType) || property.GetIndexParameters().Length > 0) continue;
            if (property.GetValue(options) is { } nested)
                foreach (var problem in Problems($"{key}:{property.Name}", nested)) yield return problem;
        }
    }

    // Our own settings classes nest (Cwmp:Auth, Usp:Mqtt); collections, strings and framework types do not.
    private static bool IsNestedSettings(Type type) =>
        type.IsClass && type != typeof(string) && type.Namespace?.StartsWith("Provisioning", StringComparison.Ordinal) == true;
}
