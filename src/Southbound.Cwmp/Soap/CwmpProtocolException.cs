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

    /// <summary>
    /// The SOAP 1.1 faultcode (§4.4.1) when it is not the ordinary "Client": "VersionMismatch" for an envelope in another
    /// namespace than SOAP 1.1's, "MustUnderstand" for a mandatory header the ACS does not understand.
    /// </summary>
    public string? SoapFaultCode { get; init; }
}
