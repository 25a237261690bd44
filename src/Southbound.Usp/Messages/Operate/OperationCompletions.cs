using System.Collections.Concurrent;
using Provisioning.Usp.Messages;
using UspNotify = Provisioning.Usp.Messages.Notify;

namespace Provisioning.Southbound.Usp.Messages.Operate;

/// <summary>Asynchronous commands waiting for their OperationComplete notification, by agent and command key.</summary>
internal sealed class OperationCompletions
{
    private readonly ConcurrentDictionary<(string EndpointId, string CommandKey), TaskCompletionSource<UspNotify.Types.OperationComplete>> _waiting = new();

    public TaskCompletionSource<UspNotify.Types.OperationComplete> Expect(string endpointId, string commandKey) =>
        _waiting.GetOrAdd((endpointId, commandKey), _ => new(TaskCreationOptions.RunContinuationsAsynchronously));

    public void Forget(string endpointId, string commandKey) => _waiting.TryRemove((endpointId, commandKey), out _);

    /// <summary>False when nobody waits for it (a command started elsewhere, or a late duplicate).</summary>
    public bool Complete(string endpointId, UspNotify.Types.OperationComplete complete) =>
        _waiting.TryRemove((endpointId, complete.CommandKey), out var waiter) && waiter.TrySetResult(complete);
}
