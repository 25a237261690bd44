namespace Provisioning.Southbound.Usp.Records;

/// <summary>A USP record or message that cannot be decoded (truncated, garbage, missing parts).</summary>
public sealed class UspRecordException(string message, Exception? inner = null) : Exception(message, inner);
