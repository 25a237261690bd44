using Provisioning.Southbound.Cwmp.Methods;

namespace Provisioning.Southbound.Cwmp.Soap;

/// <summary>
/// The one exception the SOAP reader throws for input it cannot accept: malformed or truncated XML, a DTD
/// or entity, a body too large or too deep, an unknown method. <see cref="FaultCode"/> is the ACS fault to answer with.
/// </summary>
public sealed class CwmpProtocolException(AcsFaultCode faultCode, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public AcsFaultCode FaultCode { get; } = faultCode;
}
