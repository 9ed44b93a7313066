using TokenPay.Gateway.Envelope;
using TokenPay.Protocol.Models;

namespace TokenPay.Gateway.Disputes;

/// <summary>The disputes' PayerMax operations (and TokenPay's caseList), on the API group.</summary>
internal static class DisputesApi
{
    public static IEndpointRouteBuilder MapDisputesApi(this IEndpointRouteBuilder api)
    {
        api.MapOperation<DisputeEndpoints>("/caseSearch", disputes => disputes.CaseSearchAsync)
            .Describes<CaseSearchRequest, CaseView>("A dispute case by the caseId its CHARGEBACK notification named.");
        api.MapOperation<DisputeEndpoints>("/caseReplay", disputes => disputes.CaseReplayAsync)
            .Describes<CaseReplayRequest, CaseReplayResult>("Answer a dispute case with evidence, before its expiration date ends.");
        api.MapOperation<DisputeEndpoints>("/caseList", disputes => disputes.CaseListAsync)
            .Describes<CaseListRequest, CaseListResult>("TokenPay's addition: the merchant's cases in the order they last changed, from a cursor.");
        return api;
    }
}
