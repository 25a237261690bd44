namespace Provisioning.Southbound.Usp.Messages;

/// <summary>TR-369 error codes 7000-7031 (messages) and 7100-7106 (records).</summary>
public static class UspErrorCodes
{
    public const uint MessageFailed = 7000;
    public const uint NotSupported = 7001;
    public const uint RequestDenied = 7002;
    public const uint InternalError = 7003;
    public const uint InvalidArguments = 7004;
    public const uint ResourcesExceeded = 7005;
    public const uint PermissionDenied = 7006;
    public const uint InvalidConfiguration = 7007;
    public const uint InvalidPathSyntax = 7008;
    public const uint ParameterActionFailed = 7009;
    public const uint UnsupportedParameter = 7010;
    public const uint InvalidType = 7011;
    public const uint InvalidValue = 7012;
    public const uint NotWritable = 7013;
    public const uint ValueConflict = 7014;
    public const uint OperationError = 7015;
    public const uint ObjectDoesNotExist = 7016;
    public const uint CannotCreateObject = 7017;
    public const uint NotATable = 7018;
    public const uint NotCreatable = 7019;
    public const uint CannotUpdate = 7020;
    public const uint RequiredParameterFailed = 7021;
    public const uint CommandFailure = 7022;
    public const uint CommandCancelled = 7023;
    public const uint DeleteFailure = 7024;
    public const uint DuplicateKey = 7025;
    public const uint InvalidPath = 7026;
    public const uint InvalidCommandArguments = 7027;

    public static string Describe(uint code) => code switch
    {
        7000 => "message failed",
        7001 => "message not supported",
        7002 => "request denied",
        7003 => "internal error",
        7004 => "invalid arguments",
        7005 => "resources exceeded",
        7006 => "permission denied",
        7007 => "invalid configuration",
        7008 => "invalid path syntax",
        7009 => "parameter action failed",
        7010 => "unsupported parameter",
        7011 => "invalid type",
        7012 => "invalid value",
        7013 => "parameter not writable",
        7014 => "value conflict",
        7015 => "operation error",
        7016 => "object does not exist",
        7017 => "object could not be created",
        7018 => "object is not a table",
        7019 => "attempt to create non-creatable object",
        7020 => "object could not be updated",
        7021 => "required parameter failed",
        7022 => "command failure",
        7023 => "command cancelled",
        7024 => "delete failure",
        7025 => "object exists with duplicate key",
        7026 => "invalid path",
        7027 => "invalid command arguments",
        7028 => "register failure",
        7029 => "already in use",
        7030 => "deregister failure",
        7031 => "path already registered",
        >= 7100 and <= 7106 => "record error",
        >= 7200 and <= 7299 => "data model error",
        >= 7800 and <= 7999 => "vendor error",
        _ => "unknown error",
    };
}
