using TokenPay.Gateway.Envelope;
using TokenPay.Protocol.Models;

namespace TokenPay.Gateway.Tokens;

/// <summary>The saved cards' PayerMax operations, on the API group.</summary>
internal static class TokensApi
{
    public static IEndpointRouteBuilder MapTokensApi(this IEndpointRouteBuilder api)
    {
        api.MapOperation<TokenEndpoints>("/inquirePaymentToken", tokens => tokens.InquireAsync)
            .Describes<InquirePaymentTokenRequest, InquirePaymentTokenResult>("A user's saved cards (tokenAcq: all, tokenMit: usable for MIT).");
        api.MapOperation<TokenEndpoints>("/removePaymentToken", tokens => tokens.RemoveAsync)
            .Describes<RemovePaymentTokenRequest, RemovePaymentTokenResult>("Remove a saved card; it can no longer be charged.");
        return api;
    }

    /// <summary>Saving a card without a payment (docs/protocol.md 2.8); listed after the refunds, as in the protocol.</summary>
    public static IEndpointRouteBuilder MapTokenApplicationsApi(this IEndpointRouteBuilder api)
    {
        api.MapOperation<TokenApplicationEndpoints>("/applyPaymentToken", applications => applications.ApplyAsync)
            .Describes<ApplyPaymentTokenRequest, TokenApplicationResult>("Save a card without a payment (zero-amount verification).");
        api.MapOperation<TokenApplicationEndpoints>("/InquireApplyRequest", applications => applications.InquireAsync)
            .Describes<InquireApplyRequestRequest, TokenApplicationResult>("Where a token application stands.");
        return api;
    }
}
