using TokenPay.Gateway.Envelope;
using TokenPay.Protocol.Models;

namespace TokenPay.Gateway.Orders;

/// <summary>The orders' PayerMax operations, on the API group.</summary>
internal static class OrdersApi
{
    public static IEndpointRouteBuilder MapOrdersApi(this IEndpointRouteBuilder api)
    {
        api.MapOperation<OrderEndpoints>("/orderAndPay", orders => orders.OrderAndPayAsync)
            .Describes<OrderAndPayRequest, OrderAndPayResult>("Pay by card, saved card (MIT or customer-present), hosted cashier or Drop-in token; optionally save the card.");
        api.MapOperation<OrderEndpoints>("/orderQuery", orders => orders.OrderQueryAsync)
            .Describes<OrderQueryRequest, OrderView>("An order by outTradeNo, with its card, token, decline and network advice.");
        return api;
    }
}
