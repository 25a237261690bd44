namespace Provisioning.Simulators.Usp.Agents;

/// <summary>Counters of one agent (read by tests and the fleet summary).</summary>
public sealed class AgentStatistics
{
    internal int connects, requests, errorsReturned, bootsSent, onBoardRequestsSent, notifyRespReceived, unparseable, upgradesRefused, operationsCompleted;

    public int Connects => Volatile.Read(ref connects);
    public int Requests => Volatile.Read(ref requests);
    public int ErrorsReturned => Volatile.Read(ref errorsReturned);
    public int BootsSent => Volatile.Read(ref bootsSent);
    public int OnBoardRequestsSent => Volatile.Read(ref onBoardRequestsSent);
    public int NotifyResponsesReceived => Volatile.Read(ref notifyRespReceived);
    public int Unparseable => Volatile.Read(ref unparseable);
    public int UpgradesRefused => Volatile.Read(ref upgradesRefused);
    /// <summary>OperationComplete notifications sent (Download(), Activate()).</summary>
    public int OperationsCompleted => Volatile.Read(ref operationsCompleted);
}
