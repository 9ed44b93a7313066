using TokenPay.Gateway.Envelope;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Sandbox;

/// <summary>
/// The sandbox's API rules, applied to verified requests (<see cref="GatewayApi"/>): added latency and
/// TOO_MANY_REQUEST before the operation runs (nothing is stored), and the answer lost after it ran (the order is
/// committed; the client sees a cut connection or a bare 502 and must query by outTradeNo).
/// </summary>
internal sealed class ApiFaults(FaultRules rules, TimeProvider clock)
{
    public bool Any => rules.Any;

    /// <summary>Before the operation: waits out a latency rule; a TOO_MANY_REQUEST answer when a rule says so.</summary>
    public async Task<ApiReply?> BeforeAsync(VerifiedRequest request, CancellationToken cancellationToken)
    {
        var context = ContextOf(request);
        if (rules.Take(FaultKinds.ApiLatency, context) is { } slow)
        {
            await Task.Delay(slow.Rule.Latency!.Value, clock, cancellationToken);
        }

        return rules.Take(FaultKinds.ApiTooManyRequests, context) is null
            ? null
            : ApiReply.Error(ResultCodes.TooManyRequest, "Too many requests (a sandbox fault rule); try again later.");
    }

    /// <summary>After the operation: true when the answer was lost (the connection cut, or a 502 with no body written instead).</summary>
    public bool LoseAnswer(HttpContext http, VerifiedRequest request)
    {
        if (rules.Take(FaultKinds.ApiLostAnswer, ContextOf(request)) is not { } lost)
        {
            return false;
        }

        if (lost.Rule.Answer == "502")
        {
            http.Response.StatusCode = StatusCodes.Status502BadGateway;
            http.Response.ContentLength = 0;
        }
        else
        {
            http.Abort();
        }

        return true;
    }

    private static FaultContext ContextOf(VerifiedRequest request)
    {
        var (outTradeNo, userId) = ApiData.KeysOf(request.Data);
        return new FaultContext(request.App.MerchantNo, userId, outTradeNo);
    }
}
