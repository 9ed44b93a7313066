using TokenPay.Gateway.Envelope;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Sandbox;

/// <summary>
/// The sandbox's API rules, an endpoint filter inside the signature gate (<see cref="GatewayApi"/>), so they see
/// verified requests only: added latency and TOO_MANY_REQUEST before the operation runs (nothing is stored), and
/// the answer lost after it ran (the order is committed; the client sees a cut connection or a bare 502 and must
/// query by outTradeNo).
/// </summary>
internal sealed class ApiFaults(FaultRules rules, TimeProvider clock) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var fault = rules.Any ? ContextOf(http) : null;
        if (fault is not null && await BeforeAsync(fault) is { } refused)
        {
            return refused;
        }

        var reply = await next(context);
        return rules.Any && rules.Take(FaultKinds.ApiLostAnswer, fault ?? ContextOf(http)) is { } lost ? Lose(http, lost.Rule) : reply;
    }

    // Before the operation: waits out a latency rule; a TOO_MANY_REQUEST answer when a rule says so.
    private async Task<ApiReply?> BeforeAsync(FaultContext fault)
    {
        if (rules.Take(FaultKinds.ApiLatency, fault) is { } slow)
        {
            await Task.Delay(slow.Rule.Latency!.Value, clock, CancellationToken.None);
        }

        return rules.Take(FaultKinds.ApiTooManyRequests, fault) is null
            ? null
            : ApiReply.Error(ResultCodes.TooManyRequest, "Too many requests (a sandbox fault rule); try again later.");
    }

    // The answer never reaches the client: the connection is cut, or a 502 with no body is written instead.
    private static IResult Lose(HttpContext http, FaultRule rule)
    {
        if (rule.Answer == "502")
        {
            http.Response.StatusCode = StatusCodes.Status502BadGateway;
            http.Response.ContentLength = 0;
        }
        else
        {
            http.Abort();
        }

        return Results.Empty;
    }

    private static FaultContext ContextOf(HttpContext http)
    {
        var request = GatewayApi.VerifiedRequestOf(http);
        var (outTradeNo, userId) = ApiData.KeysOf(request.Data);
        return new FaultContext(request.App.MerchantNo, userId, outTradeNo);
    }
}
