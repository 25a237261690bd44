using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Provisioning.ServiceDefaults.Grpc;

/// <summary>
/// A request body that does not parse as the method's message is the client's mistake, answered INVALID_ARGUMENT
/// ("malformed request message: ..."). grpc-dotnet parses the request before any interceptor or handler runs and
/// answers a parse failure UNKNOWN, logging it as a server error; an <see cref="RpcException"/> thrown by the
/// deserializer instead becomes the call's status. So every method of every service is bound with its request
/// marshaller wrapped, in place of grpc-dotnet's own binding (<see cref="MalformedRequestsMethodProvider{TService}"/>).
/// </summary>
public static class MalformedRequests
{
    public const string Prefix = "malformed request message: ";

    /// <summary>Call after the host's last <c>AddGrpc</c>: each of them would put grpc-dotnet's own binding back.</summary>
    public static WebApplicationBuilder AnswerMalformedRequestsWithInvalidArgument(this WebApplicationBuilder builder)
    {
        foreach (var grpcBinding in builder.Services.Where(d => d.ServiceType == typeof(IServiceMethodProvider<>) && IsGrpcBinding(d.ImplementationType)).ToList())
            builder.Services.Remove(grpcBinding);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton(typeof(IServiceMethodProvider<>), typeof(MalformedRequestsMethodProvider<>)));
        return builder;
    }

    /// <summary>grpc-dotnet's binding of generated services, open or closed (internal, so known by name).</summary>
    internal static bool IsGrpcBinding(Type? provider) =>
        provider is { Name: "BinderServiceMethodProvider`1" } && provider.Assembly == typeof(IServiceMethodProvider<>).Assembly;

    /// <summary>The method with a request marshaller that turns a parse failure into INVALID_ARGUMENT.</summary>
    internal static Method<TRequest, TResponse> Guarded<TRequest, TResponse>(Method<TRequest, TResponse> method)
        where TRequest : class where TResponse : class
    {
        var marshaller = method.RequestMarshaller;
        var guarded = new Marshaller<TRequest>(marshaller.ContextualSerializer, context =>
        {
            try
            {
                return marshaller.ContextualDeserializer(context);
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, Prefix + e.Message));
            }
        });
        return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, guarded, method.ResponseMarshaller);
    }
}
