using Grpc.Core;
using Grpc.Core.Interceptors;
using Npgsql;

namespace Provisioning.Orchestrator.Grpc;

/// <summary>Maps what escapes a service to a status a caller can act on, without leaking internals.</summary>
public sealed partial class ErrorInterceptor(ILogger<ErrorInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (Map(e, context) is { } mapped)
        {
            throw mapped;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (Map(e, context) is { } mapped)
        {
            throw mapped;
        }
    }

    private RpcException? Map(Exception e, ServerCallContext context)
    {
        switch (e)
        {
            case RpcException:
                return null;
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                return new RpcException(new Status(StatusCode.Cancelled, "the call was cancelled"));
            case NpgsqlException or TimeoutException:
                StoreUnavailable(logger, context.Method, e.Message);
                return new RpcException(new Status(StatusCode.Unavailable, "the event store is unavailable; retry"));
            default:
                Unexpected(logger, e, context.Method);
                return new RpcException(new Status(StatusCode.Internal, "internal error"));
        }
    }

    [LoggerMessage(2001, LogLevel.Warning, "{Method}: the store is unavailable ({Error})")]
    private static partial void StoreUnavailable(ILogger logger, string method, string error);

    [LoggerMessage(2002, LogLevel.Error, "{Method} failed")]
    private static partial void Unexpected(ILogger logger, Exception exception, string method);
}
