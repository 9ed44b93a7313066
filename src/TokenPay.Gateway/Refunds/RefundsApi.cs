using TokenPay.Gateway.Envelope;
using TokenPay.Protocol.Models;

namespace TokenPay.Gateway.Refunds;

/// <summary>The refunds' PayerMax operations, on the API group.</summary>
internal static class RefundsApi
{
    public static IEndpointRouteBuilder MapRefundsApi(this IEndpointRouteBuilder api)
    {
        api.MapOperation<RefundEndpoints>("/refund", refunds => refunds.RefundAsync)
            .Describes<RefundRequest, RefundResult>("Refund a successful payment, in full or in parts.");
        api.MapOperation<RefundEndpoints>("/refundQuery", refunds => refunds.RefundQueryAsync)
            .Describes<RefundQueryRequest, RefundView>("A refund by outRefundNo or refundTradeNo.");
        return api;
    }
}
