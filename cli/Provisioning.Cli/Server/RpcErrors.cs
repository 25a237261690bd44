using Grpc.Core;

namespace Provisioning.Cli.Server;

/// <summary>Turns a failed call into the one line the user sees and the exit code scripts test.</summary>
public static class RpcErrors
{
    public static (string Message, int ExitCode) Describe(RpcException exception, Uri? server)
    {
        var where = server is null ? "the server" : $"the server at {server.GetLeftPart(UriPartial.Authority)}";
        var detail = string.IsNullOrWhiteSpace(exception.Status.Detail) ? exception.StatusCode.ToString() : exception.Status.Detail;
        return exception.StatusCode switch
        {
            StatusCode.Unavailable => ($"cannot reach {where}: {Cause(exception) ?? detail}", ExitCodes.Unreachable),
            StatusCode.DeadlineExceeded => ($"{where} did not answer in time ({detail})", ExitCodes.Unreachable),
            StatusCode.Unauthenticated => ($"{where} rejected the credentials: {detail} (set --token or CPE_TOKEN to an API key)", ExitCodes.Rejected),
            StatusCode.PermissionDenied => ($"{where} denied the call: {detail}", ExitCodes.Rejected),
            StatusCode.NotFound => ($"not found: {detail}", ExitCodes.Rejected),
            StatusCode.InvalidArgument => ($"{where} rejected the request: {detail}", ExitCodes.Rejected),
            StatusCode.FailedPrecondition => ($"{where} refused: {detail}", ExitCodes.Rejected),
            StatusCode.AlreadyExists => ($"already exists: {detail}", ExitCodes.Rejected),
            StatusCode.Unimplemented => ($"{where} does not implement this call: {detail}", ExitCodes.Rejected),
            _ => ($"{where} failed the call ({exception.StatusCode}): {detail}", ExitCodes.Rejected),
        };
    }

    // "Error connecting to subchannel." says little; the socket error ("Connection refused") says what to fix.
    private static string? Cause(RpcException exception) => exception.Status.DebugException?.GetBaseException().Message;
}
