using Provisioning.Contracts.Common;

namespace Provisioning.Orchestrator.ServicePlans;

/// <summary>One data-model parameter a profile sets. <see cref="Secret"/> values never reach events, spans or logs.</summary>
public sealed record ProfileParameter(string Name, string Value, ParameterType Type, bool Secret = false);
