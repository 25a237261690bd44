using System.Collections.Concurrent;
using UspNotify = Provisioning.Usp.Messages.Notify;

namespace Provisioning.Southbound.Usp.Messages.Operate;

/// <summary>
/// Asynchronous commands waiting for their OperationComplete notification, by agent and command key. One entry per
/// command in flight, removed when it ends (answered, failed or timed out): a late or foreign notification finds none.
/// </summary>
internal sealed class OperationCompletions
{
    private readonly ConcurrentDictionary<(string EndpointId, string CommandKey), Waiter> _waiting = new();

    public int Count => _waiting.Count;

    /// <param name="command">The command as operated ("Device.DeviceInfo.FirmwareImage.2.Download()"): a notification of
    /// another command under the same key (the Activate() that follows a Download()) does not complete this one.</param>
    public TaskCompletionSource<UspNotify.Types.OperationComplete> Expect(string endpointId, string commandKey, string command) =>
        _waiting.GetOrAdd((endpointId, commandKey), _ => new Waiter(CommandName(command), new(TaskCreationOptions.RunContinuationsAsynchronously))).Completion;

    public void Forget(string endpointId, string commandKey) => _waiting.TryRemove((endpointId, commandKey), out _);

    /// <summary>False when nobody waits for it (a command started elsewhere, or a late duplicate).</summary>
    public bool Complete(string endpointId, UspNotify.Types.OperationComplete complete)
    {
        var key = (endpointId, complete.CommandKey);
        if (!_waiting.TryGetValue(key, out var waiter)) return false;
        // Agents that leave command_name empty are taken at their command key.
        if (complete.CommandName.Length > 0 && complete.CommandName != waiter.CommandName) return false;
        return _waiting.TryRemove(new KeyValuePair<(string, string), Waiter>(key, waiter)) && waiter.Completion.TrySetResult(complete);
    }

    /// <summary>"Download()" of "Device.DeviceInfo.FirmwareImage.2.Download()": what OperationComplete.command_name holds.</summary>
    private static string CommandName(string command)
    {
        var dot = command.LastIndexOf('.');
        return dot < 0 ? command : command[(dot + 1)..];
    }

    private sealed record Waiter(string CommandName, TaskCompletionSource<UspNotify.Types.OperationComplete> Completion);
}
