using System.Diagnostics;

namespace TokenPay.Gateway.Core;

/// <summary>
/// The gateway's spans, activity source <c>TokenPay.Gateway</c> (exported by OpenTelemetry with
/// <c>Gateway:Tracing:OtlpEndpoint</c>): one per API operation, per acquirer call and per notification attempt,
/// under ASP.NET Core's request span; a notification's HTTP call carries the trace to the merchant (traceparent).
/// Attributes are the merchant's own references (outTradeNo, appId) and outcomes: never card data, keys or signatures.
/// </summary>
internal static class GatewayTracing
{
    public const string SourceName = "TokenPay.Gateway";

    public static readonly ActivitySource Source = new(SourceName);

    public const string OutTradeNo = "tokenpay.out_trade_no";
}
