using System.Reflection;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Provisioning.ServiceDefaults.Grpc;

/// <summary>
/// Binds a generated service (its static <c>BindService</c>, found through <see cref="BindServiceMethodAttribute"/>)
/// as grpc-dotnet does, through <see cref="MalformedRequestsBinder{TService}"/>: see <see cref="MalformedRequests"/>.
/// </summary>
internal sealed class MalformedRequestsMethodProvider<TService>(IServiceProvider services) : IServiceMethodProvider<TService>
    where TService : class
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context)
    {
        // An AddGrpc after ours put grpc-dotnet's binding back: every method would be mapped twice (an ambiguous route).
        if (services.GetServices<IServiceMethodProvider<TService>>().Any(p => MalformedRequests.IsGrpcBinding(p.GetType())))
            throw new InvalidOperationException($"{nameof(MalformedRequests.AnswerMalformedRequestsWithInvalidArgument)} must follow the host's last AddGrpc");

        if (BindMethod() is not { } bind) return;
        // BindService(ServiceBinderBase, TServiceBase): the generated base declares the methods the binder looks for.
        var serviceBase = bind.GetParameters()[1].ParameterType;
        bind.Invoke(null, [new MalformedRequestsBinder<TService>(context, serviceBase), null]);
    }

    private static MethodInfo? BindMethod()
    {
        for (var type = typeof(TService); type is not null; type = type.BaseType)
        {
            if (type.GetCustomAttribute<BindServiceMethodAttribute>(inherit: false) is { } attribute)
                return attribute.BindType.GetMethod(attribute.BindMethodName, BindingFlags.Public | BindingFlags.Static, [typeof(ServiceBinderBase), type]);
        }
        return null;
    }
}
