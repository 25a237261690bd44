using Provisioning.Contracts.Southbound;

namespace Provisioning.Southbound.Usp.Messages;

/// <summary>Why a USP request to an agent did not produce a usable response; maps onto a southbound StepFailure.</summary>
public abstract class UspRequestException(string message, Exception? inner = null) : Exception(message, inner)
{
    public abstract FailureKind Kind { get; }
    public virtual uint Code => 0;
}

/// <summary>The agent has no open MTP connection.</summary>
public sealed class AgentNotConnectedException(string endpointId)
    : UspRequestException($"USP agent {endpointId} is not connected")
{
    public override FailureKind Kind => FailureKind.Unreachable;
}

/// <summary>The connection carrying the request closed (or was replaced by a newer one) before the response.</summary>
public sealed class AgentDisconnectedException(string endpointId, string reason)
    : UspRequestException($"USP agent {endpointId} disconnected before answering: {reason}")
{
    public override FailureKind Kind => FailureKind.Unreachable;
}

/// <summary>No response within the request timeout or the caller's deadline.</summary>
public sealed class UspTimeoutException(string endpointId, string msgType)
    : UspRequestException($"USP agent {endpointId} did not answer {msgType} in time")
{
    public override FailureKind Kind => FailureKind.Timeout;
}

/// <summary>Too many requests in flight to one agent.</summary>
public sealed class UspBusyException(string endpointId)
    : UspRequestException($"too many USP requests in flight to {endpointId}")
{
    public override FailureKind Kind => FailureKind.Unreachable;
}

/// <summary>The agent answered something that is not the expected response.</summary>
public sealed class UspProtocolViolationException(string message)
    : UspRequestException(message)
{
    public override FailureKind Kind => FailureKind.ProtocolError;
}

/// <summary>One failed parameter or object of a USP error (Error.param_errs, SetResp/AddResp failures).</summary>
public sealed record UspParamError(string Path, uint Code, string Message);

/// <summary>A USP Error (7000-7999) or a failed operation inside a response.</summary>
public sealed class UspErrorException(uint code, string errMsg, IReadOnlyList<UspParamError> paramErrors)
    : UspRequestException($"USP error {code} ({UspErrorCodes.Describe(code)}): {errMsg}")
{
    public override FailureKind Kind => FailureKind.DeviceFault;
    public override uint Code { get; } = code;
    public string ErrorMessage { get; } = errMsg;
    public IReadOnlyList<UspParamError> ParamErrors { get; } = paramErrors;
}

/// <summary>An asynchronous command the agent accepted ran and failed: its OperationComplete carried a cmd_failure.</summary>
public sealed class UspCommandFailedException(string command, uint code, string errMsg)
    : UspRequestException($"{command} failed with USP error {code} ({UspErrorCodes.Describe(code)}): {errMsg}")
{
    public override FailureKind Kind => FailureKind.DeviceFault;
    public override uint Code { get; } = code;
    public string Command { get; } = command;
    public string ErrorMessage { get; } = errMsg;
}
