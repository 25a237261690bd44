using Provisioning.Contracts.Northbound;
using Provisioning.Orchestrator.ServicePlans;

namespace Provisioning.Orchestrator.Grpc;

public static class ModelProfileMapping
{
    public static ModelProfile ToWire(this ModelProfileDocument p)
    {
        var wire = new ModelProfile
        {
            Name = p.Id, Description = p.Description, Manufacturer = p.Manufacturer, Model = p.Model, FirmwarePrefix = p.FirmwarePrefix,
        };
        wire.Mappings.AddRange(p.Mappings.Select(m => new ParameterMapping { From = m.From, To = m.To }));
        wire.Omit.AddRange(p.Omit);
        if (p.Firmware is { } f)
        {
            // The password is write-only: a read says there is one, never what it is.
            wire.Firmware = new FirmwareTarget
            {
                Version = f.Version, Url = f.Url, FileSize = f.FileSize, Sha256 = f.Sha256, Username = f.Username, HasPassword = f.Password.Length > 0,
            };
        }
        return wire;
    }

    public static ModelProfileDocument ToDocument(this ModelProfile p) => new()
    {
        Id = p.Name.Trim(),
        Description = p.Description,
        Manufacturer = p.Manufacturer.Trim(),
        Model = p.Model.Trim(),
        FirmwarePrefix = p.FirmwarePrefix.Trim(),
        Mappings = p.Mappings.Select(m => new ParameterMove(m.From.Trim(), m.To.Trim())).ToList(),
        Omit = p.Omit.Select(o => o.Trim()).ToList(),
        Firmware = p.Firmware is { } f
            ? new ModelFirmware(f.Version.Trim(), f.Url.Trim(), f.FileSize, f.Sha256.Trim().ToLowerInvariant(), f.Username.Trim(), f.Password)
            : null,
    };

    /// <summary>What makes a model profile applicable: checked before anything is stored.</summary>
    public static void Validate(RequestValidation v, ModelProfile? profile, string prefix)
    {
        if (profile is null)
        {
            v.Fail(prefix.TrimEnd('.'), "is required");
            return;
        }
        v.Require($"{prefix}name", profile.Name, 128)
            .Require($"{prefix}manufacturer", profile.Manufacturer, 64)
            .Require($"{prefix}model", profile.Model, 64)
            .Limit($"{prefix}firmware_prefix", profile.FirmwarePrefix, 64)
            .Limit($"{prefix}description", profile.Description, 1024)
            .Check(profile.Mappings.Count + profile.Omit.Count <= 500, $"{prefix}mappings", "holds more than 500 entries with omit");
        for (var i = 0; i < profile.Mappings.Count && i < 500; i++)
        {
            var m = profile.Mappings[i];
            var field = $"{prefix}mappings[{i}]";
            v.Check(ParameterPathPattern.IsValid(m.From.Trim()), $"{field}.from", "must be a data-model path (\"{i}\" for any instance, a trailing \".\" for an object)")
                .Check(ParameterPathPattern.IsValid(m.To.Trim()), $"{field}.to", "must be a data-model path (\"{i}\" for any instance, a trailing \".\" for an object)")
                .Check(m.From.Trim().EndsWith('.') == m.To.Trim().EndsWith('.'), $"{field}.to", "must name an object exactly when from does (both end in \".\" or neither)")
                .Check(Count(m.From) == Count(m.To), $"{field}.to", "must carry as many \"{i}\" as from");
        }
        if (profile.Firmware is { } firmware)
        {
            v.Image($"{prefix}firmware.", firmware.Version, firmware.Url, firmware.FileSize, firmware.Sha256.Trim(), sizeAndChecksumRequired: true)
                .Limit($"{prefix}firmware.username", firmware.Username, 256)
                .Limit($"{prefix}firmware.password", firmware.Password, 256)
                .Check(firmware.Password.Length == 0 || firmware.Username.Trim().Length > 0, $"{prefix}firmware.username", "is required with a password");
        }
        for (var i = 0; i < profile.Omit.Count && i < 500; i++)
            v.Check(ParameterPathPattern.IsValid(profile.Omit[i].Trim()), $"{prefix}omit[{i}]", "must be a data-model path (\"{i}\" for any instance, a trailing \".\" for an object)");
    }

    private static int Count(string pattern) => pattern.Split('.').Count(s => s == ParameterPathPattern.Instance);
}
