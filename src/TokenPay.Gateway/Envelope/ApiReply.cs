using TokenPay.Protocol;

namespace TokenPay.Gateway.Envelope;

/// <summary>What a feature answers: <c>{code, msg, data}</c>, written and signed by <see cref="GatewayResponder"/>.</summary>
internal readonly record struct ApiReply(string Code, string Msg, object Data)
{
    /// <summary>A refusal's data: <c>{}</c>. PayerMax's schema requires data in every answer; a refusal has nothing to put in it.</summary>
    private static readonly object NoData = new { };

    public static ApiReply Success(object data) => new(ResultCodes.ApplySuccess, "Success.", data);

    public static ApiReply Error(string code, string message) => new(code, message, NoData);

    public static ApiReply Invalid(string message) => new(ResultCodes.ParamsInvalid, message, NoData);

    public bool IsSuccess => Code == ResultCodes.ApplySuccess;
}
