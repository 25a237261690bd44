namespace Provisioning.Southbound.Usp.Agents;

internal enum AgentAdmission
{
    /// <summary>Not yet looked up in the inventory.</summary>
    Pending,
    Admitted,
    /// <summary>Not in the inventory, kept connected but never reported (Usp:UnknownAgents = quarantine).</summary>
    Quarantined,
    /// <summary>Not in the inventory and refused.</summary>
    Refused,
}
