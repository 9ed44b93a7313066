using System.Text.Json;
using Microsoft.Extensions.Options;
using TokenPay.Acquiring;
using TokenPay.Acquiring.Simulator;
using TokenPay.Gateway.Core;
using TokenPay.Gateway.Storage;
using TokenPay.Hosting;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Sandbox;

/// <summary>A dispute trigger as posted to <c>/sandbox/triggers</c>.</summary>
internal sealed record DisputeTrigger(string? Event, string? OutTradeNo, string? Reason, string? CaseId, string? MerchantNo);

/// <summary>
/// <c>POST /sandbox/triggers</c> (docs/sandbox.md): the simulated network raises a dispute on a paid order now,
/// or rules or withdraws a case now; then the gateway's scheduled work named "disputes" pulls the change at once.
/// </summary>
internal sealed class DisputeTriggers(IServiceProvider services, OrderStore orders, IOptions<GatewayOptions> options, IDisputeCaseLookup cases, GatewayEvents events)
{
    public const string Created = "dispute.created";
    public const string Won = "dispute.won";
    public const string Lost = "dispute.lost";
    public const string Cancelled = "dispute.cancelled";

    /// <summary>The scheduled work that pulls the acquirers' dispute feeds.</summary>
    public const string DisputeWork = "disputes";

    public static readonly IReadOnlyList<string> Events = [Created, Won, Lost, Cancelled];

    public static async Task<IResult> PostAsync(HttpRequest request, DisputeTriggers triggers, CancellationToken cancellationToken)
    {
        var (trigger, problem) = await ReadAsync(request, cancellationToken);
        return trigger is null ? Answer(StatusCodes.Status400BadRequest, problem!) : await triggers.RunAsync(trigger, cancellationToken);
    }

    private async Task<IResult> RunAsync(DisputeTrigger trigger, CancellationToken cancellationToken)
    {
        if (services.GetService<SimulatedDisputes>() is not { } simulator)
        {
            return Answer(StatusCodes.Status409Conflict, "Disputes on demand need the built-in simulator acquirer, which this gateway does not run.");
        }

        var merchantNo = trigger.MerchantNo ?? SoleMerchant();
        if (trigger.Event == Created)
        {
            if (merchantNo is null)
            {
                return Answer(StatusCodes.Status400BadRequest, "merchantNo is required: this gateway serves several merchants.");
            }

            var order = await orders.FindAsync(merchantNo, trigger.OutTradeNo!, cancellationToken);
            if (order is null)
            {
                return Answer(StatusCodes.Status404NotFound, $"No order {trigger.OutTradeNo} for merchant {merchantNo}.");
            }

            return order.Status == OrderStatuses.Success
                ? await DoneAsync(trigger, await simulator.RaiseNowAsync(order.TradeToken, trigger.Reason!, cancellationToken), cancellationToken)
                : Answer(StatusCodes.Status409Conflict, $"Order {trigger.OutTradeNo} is {order.Status}: only a paid order can be disputed.");
        }

        // A case id the gateway does not know is taken as the acquirer's (what dispute.created answers).
        var acquirerCaseId = await cases.AcquirerCaseIdAsync(trigger.MerchantNo, trigger.CaseId!, cancellationToken) ?? trigger.CaseId!;
        var action = trigger.Event == Cancelled
            ? await simulator.CancelNowAsync(acquirerCaseId, cancellationToken)
            : await simulator.RuleNowAsync(acquirerCaseId, merchantWon: trigger.Event == Won, cancellationToken);
        return await DoneAsync(trigger, action, cancellationToken);
    }

    // The change is logged, then pulled by the gateway's dispute work at once, so the case shows before the answer.
    private async Task<IResult> DoneAsync(DisputeTrigger trigger, DisputeAction action, CancellationToken cancellationToken)
    {
        if (action.Case is not { } changed)
        {
            return Answer(action.Refused switch
            {
                DisputeRefusal.UnknownReason => StatusCodes.Status400BadRequest,
                DisputeRefusal.UnknownCase => StatusCodes.Status404NotFound,
                _ => StatusCodes.Status409Conflict,
            }, action.Message);
        }

        events.Publish("dispute.triggered", $"Sandbox {trigger.Event}: {action.Message}", new Dictionary<string, string?>
        {
            ["event"] = trigger.Event, ["acquirerCaseId"] = changed.CaseId, ["outTradeNo"] = trigger.OutTradeNo,
        });
        var work = services.GetServices<IScheduledWork>().FirstOrDefault(w => w.Name == DisputeWork);
        int? pulled = work is null ? null : await work.RunDueAsync(cancellationToken);
        return Results.Json(new
        {
            @event = trigger.Event,
            message = action.Message,
            caseId = await cases.GatewayCaseIdAsync(changed.CaseId, cancellationToken),
            acquirerCaseId = changed.CaseId,
            stage = changed.Stage.ToString(),
            reasonCategory = changed.ReasonCategory,
            reasonCode = changed.ReasonCode,
            amount = Currencies.FromMinorUnits(changed.AmountMinor, changed.Currency),
            fee = Currencies.FromMinorUnits(changed.FeeMinor, changed.Currency),
            currency = changed.Currency,
            replyBy = changed.ReplyBy,
            merchantWon = changed.MerchantWon,
            disputesPulled = pulled,
        });
    }

    private string? SoleMerchant() => options.Value.Merchants.Select(m => m.MerchantNo).Distinct(StringComparer.Ordinal).ToList() is [var only] ? only : null;

    // {"event":"dispute.created","outTradeNo":"...","reason":"fraud"} or {"event":"dispute.won","caseId":"..."}; merchantNo optional.
    private static async Task<(DisputeTrigger? Trigger, string? Problem)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        DisputeTrigger? trigger;
        try
        {
            trigger = await JsonSerializer.DeserializeAsync<DisputeTrigger>(request.Body, JsonSerializerOptions.Web, cancellationToken);
        }
        catch (JsonException)
        {
            return (null, "The body must be a JSON object such as {\"event\":\"dispute.created\",\"outTradeNo\":\"...\",\"reason\":\"fraud\"}.");
        }

        return trigger switch
        {
            null => (null, "The body must be a JSON object with event."),
            { Event: null } or { Event: "" } => (null, $"event is required: one of {string.Join(", ", Events)}."),
            _ when !Events.Contains(trigger.Event) => (null, $"event must be one of {string.Join(", ", Events)}."),
            { Event: Created, OutTradeNo: null or "" } => (null, "outTradeNo is required for dispute.created: the paid order to dispute."),
            { Event: Created, Reason: null or "" } => (null, $"reason is required for dispute.created: one of {string.Join(", ", SimulatedDisputes.Reasons)}."),
            { Event: Created } when !SimulatedDisputes.IsReason(trigger.Reason!) => (null, $"reason must be one of {string.Join(", ", SimulatedDisputes.Reasons)}."),
            { Event: not Created, CaseId: null or "" } => (null, $"caseId is required for {trigger.Event}: the case to change."),
            _ => (trigger, null),
        };
    }

    private static IResult Answer(int status, string message) => Results.Json(new { error = message }, statusCode: status);
}
