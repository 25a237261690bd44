using Google.Protobuf.WellKnownTypes;
using Provisioning.Orchestrator.Campaigns;
using Wire = Provisioning.Contracts.Northbound;

namespace Provisioning.Orchestrator.Grpc;

/// <summary>Campaigns between the wire and the domain; a start request validated field by field (INVALID_ARGUMENT).</summary>
public static class CampaignMapping
{
    public static CampaignDefinition Definition(Wire.StartCampaignRequest request, int maxConcurrency)
    {
        var validation = new RequestValidation().Require("name", request.Name, 128).Limit("service_plan", request.ServicePlan, 128)
            .Limit("request_id", request.RequestId, 128);
        var wire = request.Selection ?? new Wire.CampaignSelection();
        var selection = new CampaignSelection(Clean(wire.ServicePlans), Clean(wire.ProductClasses), Clean(wire.FirmwareVersions),
            Clean(wire.LocationIds), Clean(wire.SerialNumbers));
        validation.Check(!selection.IsEmpty, "selection", "needs at least one criterion (service_plans, product_classes, firmware_versions, location_ids, serial_numbers)");
        validation.Check(wire.SerialNumbers.Count <= 100_000, "selection.serial_numbers", "at most 100000");

        var waves = request.WavePercents.Count > 0 ? request.WavePercents.ToList() : CampaignDefinition.DefaultWaves.ToList();
        validation.Check(waves.All(p => p > 0 && p <= 100), "wave_percents", "each must be above 0 and at most 100")
            .Check(waves.Zip(waves.Skip(1)).All(p => p.Second > p.First), "wave_percents", "must increase (they are cumulative)")
            .Check(waves[^1] == 100, "wave_percents", "the last must be 100")
            .Check(waves.Count <= 20, "wave_percents", "at most 20 waves");

        var concurrency = request.Concurrency == 0 ? CampaignDefinition.DefaultConcurrency : (int)Math.Min(request.Concurrency, int.MaxValue);
        validation.Check(concurrency <= maxConcurrency, "concurrency", $"at most {maxConcurrency} (Campaign:MaxConcurrency)");

        var rules = request.StopRules ?? new Wire.CampaignStopRules();
        var rate = rules.HasMaxFailureRate ? rules.MaxFailureRate : CampaignStopRules.DefaultMaxFailureRate;
        validation.Check(rate is >= 0 and <= 1, "stop_rules.max_failure_rate", "must be between 0 and 1");
        var minEnded = rules.HasMinEndedForRate ? (int)Math.Min(rules.MinEndedForRate, 1_000_000) : CampaignStopRules.DefaultMinEndedForRate;
        validation.Check(rules.FaultCodes.Count <= 100, "stop_rules.fault_codes", "at most 100");
        var firmware = Firmware(validation, request);
        validation.ThrowIfInvalid();

        return new CampaignDefinition(request.Name.Trim(), request.RequestId is { Length: > 0 } id ? id : null, selection,
            request.ServicePlan is { Length: > 0 } plan ? plan.Trim() : null, waves, concurrency,
            new CampaignStopRules(rate, Math.Max(1, minEnded), rules.FaultCodes.Distinct().ToList(),
                rules.HasMaxVerificationFailures ? (int)Math.Min(rules.MaxVerificationFailures, int.MaxValue) : null),
            firmware);
    }

    private static CampaignFirmware? Firmware(RequestValidation validation, Wire.StartCampaignRequest request)
    {
        if (request.Firmware is not { } wire) return null;
        validation.Check(request.ServicePlan.Length == 0, "service_plan", "a campaign changes a plan or the firmware, not both");
        var named = wire.Version.Length > 0 || wire.Url.Length > 0 || wire.FileSize > 0 || wire.Sha256.Length > 0;
        if (wire.ModelProfileTarget)
        {
            validation.Check(!named, "firmware", "model_profile_target takes no version, url, size or checksum");
            return new CampaignFirmware(null);
        }
        validation.Check(named, "firmware", "needs version and url, or model_profile_target");
        validation.Image("firmware.", wire.Version, wire.Url, wire.FileSize, wire.Sha256.Trim(), sizeAndChecksumRequired: false);
        return new CampaignFirmware(new Workflows.Events.FirmwareImage(wire.Version.Trim(), wire.Url.Trim(), wire.FileSize, wire.Sha256.Trim().ToLowerInvariant()));
    }

    public static Wire.Campaign ToWire(CampaignSummary c, CampaignTally tally)
    {
        var wire = new Wire.Campaign
        {
            CampaignId = c.Id.ToString(),
            Name = c.Name,
            State = c.State switch
            {
                CampaignState.Running => Wire.CampaignState.Running,
                CampaignState.Paused => Wire.CampaignState.Paused,
                CampaignState.Completed => Wire.CampaignState.Completed,
                _ => Wire.CampaignState.Aborted,
            },
            Selection = new Wire.CampaignSelection
            {
                ServicePlans = { c.Selection.ServicePlans },
                ProductClasses = { c.Selection.ProductClasses },
                FirmwareVersions = { c.Selection.FirmwareVersions },
                LocationIds = { c.Selection.LocationIds },
                SerialNumbers = { c.Selection.SerialNumbers },
            },
            ServicePlan = c.ServicePlan ?? "",
            CurrentWave = (uint)c.CurrentWave,
            Concurrency = (uint)c.Concurrency,
            StopRules = new Wire.CampaignStopRules
            {
                MaxFailureRate = c.StopRules.MaxFailureRate,
                MinEndedForRate = (uint)c.StopRules.MinEndedForRate,
                FaultCodes = { c.StopRules.FaultCodes },
            },
            Progress = new Wire.CampaignProgress
            {
                Selected = (uint)c.Devices.Count,
                Started = (uint)tally.Latest.Count,
                Running = (uint)tally.Running,
                Succeeded = (uint)tally.Succeeded,
                Failed = (uint)tally.FailedOverall,
                Cancelled = (uint)tally.Cancelled,
                FailedByResult = { tally.FailedByResult.ToDictionary(p => p.Key, p => (uint)p.Value) },
                FailedByFaultCode = { tally.FailedByFaultCode.ToDictionary(p => p.Key, p => (uint)p.Value) },
                FailureRate = tally.FailureRate,
            },
            StateReason = c.StateReason ?? "",
            CreatedBy = c.CreatedBy,
            CreatedAt = Timestamp.FromDateTimeOffset(c.CreatedAt),
            UpdatedAt = Timestamp.FromDateTimeOffset(c.UpdatedAt),
            TraceId = c.TraceId,
        };
        if (c.StopRules.MaxVerificationFailures is { } most) wire.StopRules.MaxVerificationFailures = (uint)most;
        if (c.Firmware is { } firmware)
            wire.Firmware = firmware.Image is { } image
                ? new Wire.CampaignFirmware { Version = image.Version, Url = image.Url, FileSize = image.FileSize, Sha256 = image.Sha256 }
                : new Wire.CampaignFirmware { ModelProfileTarget = true };
        foreach (var wave in c.Waves)
        {
            var completed = wave.Number < c.CurrentWave || c.State == CampaignState.Completed;
            wire.Waves.Add(new Wire.CampaignWave { Number = (uint)wave.Number, Percent = wave.Percent, Devices = (uint)wave.Devices, Completed = completed });
        }
        return wire;
    }

    private static List<string> Clean(IEnumerable<string> values) =>
        values.Select(v => v.Trim()).Where(v => v.Length > 0).Distinct(StringComparer.Ordinal).ToList();
}
