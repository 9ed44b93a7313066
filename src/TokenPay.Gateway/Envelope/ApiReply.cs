using TokenPay.Protocol;

namespace TokenPay.Gateway.Envelope;

/// <summary>What a feature answers: <c>{code, msg, data}</c>, written and signed by <see cref="GatewayResponder"/>.</summary>
internal readonly record struct ApiReply(string Code, string Msg, object? Data = null)
{
    public static ApiReply Success(object data) => new(ResultCodes.ApplySuccess, "Success.", data);

    public static ApiReply Error(string code, string message) => new(code, message);

    public static ApiReply Invalid(string message) => new(ResultCodes.ParamsInvalid, message);

    public bool IsSuccess => Code == ResultCodes.ApplySuccess;
}
