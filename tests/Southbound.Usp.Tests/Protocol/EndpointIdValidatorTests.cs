using Provisioning.Southbound.Usp.Records;

namespace Provisioning.Southbound.Usp.Tests.Protocol;

public sealed class EndpointIdValidatorTests
{
    [Theory]
    [InlineData("os::00D09E-SN123")]
    [InlineData("oui:00D09E:SN123")]
    [InlineData("self::provisioning-controller")]
    [InlineData("ops::00D09E-HGW-SN123")]
    [InlineData("uuid::f81d4fae-7dec-11d0-a765-00a0c91e6bf6")]
    [InlineData("proto::test")]
    public void Valid_endpoint_ids_pass(string endpointId) => Assert.Null(EndpointIdValidator.Validate(endpointId));

    [Theory]
    [InlineData("", "missing")]
    [InlineData("SN123", "no scheme")]
    [InlineData("foo::bar", "unknown endpoint ID scheme")]
    [InlineData("os:bar", "no authority separator")]
    [InlineData("os::", "empty instance")]
    [InlineData("os::has space", "space")]
    [InlineData("os::012345678901234567890123456789012345678901234567890", "longer than 50")]
    public void Invalid_endpoint_ids_say_why(string endpointId, string reason) =>
        Assert.Contains(reason, EndpointIdValidator.Validate(endpointId));
}
