using System.Reflection;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.AspNetCore.Routing;

namespace Provisioning.ServiceDefaults.Grpc;

/// <summary>
/// Adds each method of a generated service with its request marshaller guarded (<see cref="MalformedRequests.Guarded"/>),
/// invoking the implementation's override and carrying its attributes (authorization) as endpoint metadata, as
/// grpc-dotnet's own binder does.
/// </summary>
internal sealed class MalformedRequestsBinder<TService>(ServiceMethodProviderContext<TService> context, Type serviceBase) : ServiceBinderBase
    where TService : class
{
    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
    {
        var implementation = Implementation(method.Name, typeof(TRequest), typeof(ServerCallContext));
        context.AddUnaryMethod(MalformedRequests.Guarded(method), Metadata(implementation),
            implementation.CreateDelegate<UnaryServerMethod<TService, TRequest, TResponse>>());
    }

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
    {
        var implementation = Implementation(method.Name, typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext));
        context.AddServerStreamingMethod(MalformedRequests.Guarded(method), Metadata(implementation),
            implementation.CreateDelegate<ServerStreamingServerMethod<TService, TRequest, TResponse>>());
    }

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
    {
        var implementation = Implementation(method.Name, typeof(IAsyncStreamReader<TRequest>), typeof(ServerCallContext));
        context.AddClientStreamingMethod(MalformedRequests.Guarded(method), Metadata(implementation),
            implementation.CreateDelegate<ClientStreamingServerMethod<TService, TRequest, TResponse>>());
    }

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
    {
        var implementation = Implementation(method.Name, typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext));
        context.AddDuplexStreamingMethod(MalformedRequests.Guarded(method), Metadata(implementation),
            implementation.CreateDelegate<DuplexStreamingServerMethod<TService, TRequest, TResponse>>());
    }

    /// <summary>The most derived override of the generated base's method (a same-named method hiding it is not one).</summary>
    private MethodInfo Implementation(string name, params Type[] parameters)
    {
        for (var type = typeof(TService); type is not null; type = type.BaseType)
        {
            if (type.GetMethod(name, BindingFlags.Public | BindingFlags.Instance, parameters) is not { } candidate) break;
            if (candidate.IsVirtual && candidate.GetBaseDefinition().DeclaringType == serviceBase) return candidate;
        }
        throw new InvalidOperationException($"Could not find '{name}' on {typeof(TService)}.");
    }

    private static List<object> Metadata(MethodInfo implementation) =>
    [
        // The service's attributes first, the method's after them: the later wins (as with grpc-dotnet's binder).
        .. typeof(TService).GetCustomAttributes(inherit: true),
        .. implementation.GetCustomAttributes(inherit: true),
        // gRPC is POST only; a CORS preflight reaches the CORS middleware or is refused by gRPC itself.
        new HttpMethodMetadata(["POST"], acceptCorsPreflight: true),
    ];
}
