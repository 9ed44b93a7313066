using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using TokenPay.Acquiring;
using TokenPay.Gateway.Core;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Sandbox;

/// <summary>The failures the sandbox can script (docs/sandbox.md lists what each does).</summary>
internal static class FaultKinds
{
    public const string AcquirerOutcomes = "acquirer.outcomes";
    public const string AcquirerLatency = "acquirer.latency";
    public const string AcquirerTimeoutAfterApproval = "acquirer.timeout-after-approval";
    public const string AcquirerPendingUntil = "acquirer.pending-until";
    public const string ApiLostAnswer = "api.lost-answer";
    public const string ApiLatency = "api.latency";
    public const string ApiTooManyRequests = "api.too-many-requests";
    public const string NotificationDrop = "notification.drop";
    public const string NotificationDuplicate = "notification.duplicate";
    public const string NotificationDelay = "notification.delay";
    public const string NotificationOutOfOrder = "notification.out-of-order";
    public const string NotificationBadSignature = "notification.bad-signature";

    public static readonly IReadOnlyList<string> All =
    [
        AcquirerOutcomes, AcquirerLatency, AcquirerTimeoutAfterApproval, AcquirerPendingUntil,
        ApiLostAnswer, ApiLatency, ApiTooManyRequests,
        NotificationDrop, NotificationDuplicate, NotificationDelay, NotificationOutOfOrder, NotificationBadSignature,
    ];
}

/// <summary>What a request, authorization or notification is about, for matching a rule's scope.</summary>
internal sealed record FaultContext(string? MerchantNo, string? UserId, string? OutTradeNo);

/// <summary>One scripted acquirer answer: approve (the simulator decides as usual) or decline with a code and the network's advice.</summary>
internal sealed record ScriptedOutcome(bool Approve, string? Code, string? Message, DeclineAdvice? Advice);

/// <summary>A failure rule: what it does, to what, and how many more times.</summary>
internal sealed class FaultRule
{
    public required string Id { get; init; }
    public required string Kind { get; init; }
    public string? MerchantNo { get; init; }
    public string? UserId { get; init; }

    /// <summary>An outTradeNo, or a pattern with <c>*</c> for any run of characters.</summary>
    public string? OutTradeNo
    {
        get;
        init
        {
            field = value;
            _outTradeNoPattern = value is null ? null : Pattern(value);
        }
    }

    // Made once with the rule, not at each match.
    private readonly Regex? _outTradeNoPattern;

    public required int Uses { get; init; }
    public int Fired { get; set; }
    public IReadOnlyList<ScriptedOutcome> Outcomes { get; init; } = [];
    public TimeSpan? Latency { get; init; }
    public DateTimeOffset? Until { get; init; }
    public TimeSpan? Delay { get; init; }

    /// <summary>For api.lost-answer: <c>close</c> (the connection is cut) or <c>502</c> (a bare Bad Gateway).</summary>
    public string? Answer { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public bool Matches(FaultContext context) =>
        (MerchantNo is null || MerchantNo == context.MerchantNo)
        && (UserId is null || UserId == context.UserId)
        && (_outTradeNoPattern is null || (context.OutTradeNo is { } order && _outTradeNoPattern.IsMatch(order)));

    /// <summary>The outcome of this firing (acquirer.outcomes: one per use, in order).</summary>
    public ScriptedOutcome? OutcomeOf(int firing) => firing <= Outcomes.Count ? Outcomes[firing - 1] : null;

    private static Regex Pattern(string pattern) =>
        new($"^{string.Join(".*", pattern.Split('*').Select(Regex.Escape))}$", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50));

    public object View() => new
    {
        id = Id, kind = Kind, merchantNo = MerchantNo, userId = UserId, outTradeNo = OutTradeNo,
        uses = Uses, fired = Fired, left = Uses - Fired,
        outcomes = Outcomes.Count == 0 ? null : Outcomes.Select(o => o.Approve ? (object)new { result = "APPROVE" } : new { result = "DECLINE", code = o.Code, category = o.Advice?.Category, merchantAdviceCode = o.Advice?.MerchantAdviceCode }),
        latency = Latency?.ToString("c", CultureInfo.InvariantCulture), until = Until, delay = Delay?.ToString("c", CultureInfo.InvariantCulture), answer = Answer, createdAt = CreatedAt,
    };
}

/// <summary>
/// The sandbox's failure rules, in memory on this gateway. A rule fires on the first requests, authorizations or
/// notifications in its scope and is gone after its uses; each addition and each firing goes to the event log.
/// </summary>
internal sealed class FaultRules(GatewayEvents events, TimeProvider clock)
{
    private readonly Lock _lock = new();
    private readonly List<FaultRule> _rules = [];
    private int _nextId;
    private volatile int _count;

    /// <summary>False when no rule is set: the gateway's paths then skip the matching entirely.</summary>
    public bool Any => _count > 0;

    public IReadOnlyList<FaultRule> Active
    {
        get
        {
            lock (_lock)
            {
                return [.. _rules];
            }
        }
    }

    public FaultRule Add(FaultRuleRequest request)
    {
        FaultRule rule;
        lock (_lock)
        {
            rule = request.ToRule($"flt_{++_nextId}", clock.GetUtcNow());
            _rules.Add(rule);
            _count = _rules.Count;
        }

        events.Publish("fault.added", $"Fault {rule.Id} ({rule.Kind}) set for {Describe(rule)}, {rule.Uses} use(s)", new Dictionary<string, string?> { ["rule"] = rule.Id, ["kind"] = rule.Kind });
        return rule;
    }

    public bool Remove(string id)
    {
        lock (_lock)
        {
            var removed = _rules.RemoveAll(r => r.Id == id) > 0;
            _count = _rules.Count;
            return removed;
        }
    }

    /// <summary>Fires the first rule of <paramref name="kind"/> in scope, if any: one use is spent; returns the rule and which firing this is.</summary>
    public (FaultRule Rule, int Firing)? Take(string kind, FaultContext context)
    {
        if (!Any)
        {
            return null;
        }

        FaultRule? rule;
        int firing;
        lock (_lock)
        {
            rule = _rules.FirstOrDefault(r => r.Kind == kind && r.Matches(context));
            if (rule is null)
            {
                return null;
            }

            firing = ++rule.Fired;
            if (rule.Fired >= rule.Uses)
            {
                _rules.Remove(rule);
                _count = _rules.Count;
            }
        }

        events.Publish("fault.fired", $"Fault {rule.Id} ({kind}) fired on {context.OutTradeNo ?? "a request"} ({firing} of {rule.Uses})",
            new Dictionary<string, string?> { ["rule"] = rule.Id, ["kind"] = kind, ["outTradeNo"] = context.OutTradeNo, ["merchantNo"] = context.MerchantNo });
        return (rule, firing);
    }

    private static string Describe(FaultRule rule) =>
        string.Join(", ", new[] { rule.MerchantNo is { } m ? $"merchant {m}" : null, rule.UserId is { } u ? $"user {u}" : null, rule.OutTradeNo is { } o ? $"outTradeNo {o}" : null }.OfType<string>().DefaultIfEmpty("every merchant"));
}

/// <summary>The body of <c>POST /sandbox/faults</c>; <see cref="Validate"/> names the field of any mistake.</summary>
internal sealed class FaultRuleRequest
{
    private static readonly HashSet<string> DeclineCodes =
    [
        ResultCodes.PaymentFailed, ResultCodes.CardInvalid, ResultCodes.CardExpireDateInvalid, ResultCodes.CvvInvalid,
        ResultCodes.BalanceInsufficient, ResultCodes.IssuerPaymentRejected, ResultCodes.AuthenticateFailed, ResultCodes.UnsupportCard,
    ];

    private static readonly HashSet<string> AdviceCodes = ["01", "02", "03", "21", "24", "25", "26", "27", "28", "29", "30"];

    public string? Kind { get; set; }
    public string? MerchantNo { get; set; }
    public string? UserId { get; set; }
    public string? OutTradeNo { get; set; }
    public int? Uses { get; set; }
    public List<OutcomeRequest?>? Outcomes { get; set; }
    public string? Latency { get; set; }
    public string? Until { get; set; }
    public string? Delay { get; set; }
    public string? Answer { get; set; }

    public sealed class OutcomeRequest
    {
        /// <summary>APPROVE or DECLINE.</summary>
        public string? Result { get; set; }
        public string? Code { get; set; }
        public string? Message { get; set; }
        public int? Category { get; set; }
        public string? MerchantAdviceCode { get; set; }
    }

    /// <summary>Null when the rule can be set; otherwise what is wrong, naming the field.</summary>
    public string? Validate()
    {
        if (Kind is null || !FaultKinds.All.Contains(Kind))
        {
            return $"kind must be one of: {string.Join(", ", FaultKinds.All)}.";
        }

        foreach (var (name, value) in new[] { ("merchantNo", MerchantNo), ("userId", UserId), ("outTradeNo", OutTradeNo) })
        {
            if (value is { } text && (text.Length is 0 or > 64 || text.Any(char.IsControl)))
            {
                return $"{name} must be 1 to 64 characters.";
            }
        }

        if (Uses is < 1 or > 1000)
        {
            return "uses must be between 1 and 1000.";
        }

        return Kind switch
        {
            FaultKinds.AcquirerOutcomes => ValidateOutcomes(),
            FaultKinds.AcquirerLatency or FaultKinds.ApiLatency => Duration("latency", Latency, TimeSpan.FromMinutes(1)),
            FaultKinds.NotificationDelay => Duration("delay", Delay, TimeSpan.FromDays(30)),
            FaultKinds.AcquirerPendingUntil => Until is null || !DateTimeOffset.TryParse(Until, CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
                ? "until must be an ISO 8601 time with offset, such as \"2027-01-01T00:00:00Z\"."
                : null,
            FaultKinds.ApiLostAnswer => Answer is null or "close" or "502" ? null : "answer must be \"close\" (the connection is cut) or \"502\" (Bad Gateway, no body).",
            _ => null,
        };
    }

    private string? ValidateOutcomes()
    {
        if (Outcomes is not { Count: > 0 and <= 100 })
        {
            return "outcomes must list 1 to 100 outcomes, each {\"result\":\"APPROVE\"} or {\"result\":\"DECLINE\",\"code\":...}.";
        }

        if (Uses is not null && Uses != Outcomes.Count)
        {
            return "uses must be left out for acquirer.outcomes (one use per outcome) or equal their number.";
        }

        for (var i = 0; i < Outcomes.Count; i++)
        {
            var outcome = Outcomes[i];
            var problem = outcome?.Result switch
            {
                null => "result must be APPROVE or DECLINE",
                "APPROVE" => null,
                "DECLINE" when outcome.Code is null || !DeclineCodes.Contains(outcome.Code) => $"code must be one of {string.Join(", ", DeclineCodes)}",
                "DECLINE" when outcome.Category is not (null or 1 or 2 or 3) => "category must be 1, 2 or 3",
                "DECLINE" when outcome.MerchantAdviceCode is { } mac && !AdviceCodes.Contains(mac) => $"merchantAdviceCode must be one of {string.Join(", ", AdviceCodes)}",
                "DECLINE" when outcome.Message is { Length: > 256 } => "message must be at most 256 characters",
                "DECLINE" => null,
                _ => "result must be APPROVE or DECLINE",
            };
            if (problem is not null)
            {
                return $"outcomes[{i}].{problem}.";
            }
        }

        return null;
    }

    private static string? Duration(string name, string? value, TimeSpan longest) =>
        value is null || !TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var duration) || duration <= TimeSpan.Zero || duration > longest
            ? $"{name} must be a positive duration of at most {longest.ToString("c", CultureInfo.InvariantCulture)}, such as \"00:00:02\"."
            : null;

    public FaultRule ToRule(string id, DateTimeOffset now) => new()
    {
        Id = id,
        Kind = Kind!,
        MerchantNo = MerchantNo,
        UserId = UserId,
        OutTradeNo = OutTradeNo,
        Uses = Kind == FaultKinds.AcquirerOutcomes ? Outcomes!.Count : Uses ?? 1,
        Outcomes = Outcomes?.Select(o => o!.Result == "APPROVE"
            ? new ScriptedOutcome(true, null, null, null)
            : new ScriptedOutcome(false, o.Code, o.Message ?? "Declined by a sandbox fault rule",
                o.Category is null && o.MerchantAdviceCode is null ? null : new DeclineAdvice(o.Category, o.MerchantAdviceCode))).ToList() ?? [],
        Latency = Latency is null ? null : TimeSpan.Parse(Latency, CultureInfo.InvariantCulture),
        Delay = Delay is null ? null : TimeSpan.Parse(Delay, CultureInfo.InvariantCulture),
        Until = Until is null ? null : DateTimeOffset.Parse(Until, CultureInfo.InvariantCulture),
        Answer = Kind == FaultKinds.ApiLostAnswer ? Answer ?? "close" : null,
        CreatedAt = now,
    };

    /// <summary>A rule from its JSON (the API's body, the console's form), or what is wrong with it, naming the field.</summary>
    public static (FaultRuleRequest? Rule, string? Problem) Read(string json)
    {
        FaultRuleRequest? rule;
        try
        {
            rule = JsonSerializer.Deserialize<FaultRuleRequest>(json, JsonOptions);
        }
        catch (JsonException ex)
        {
            // System.Text.Json names the member it could not take (Path), never the request's values.
            return (null, $"The rule must be a JSON object of a fault rule (docs/sandbox.md){(ex.Path is { Length: > 1 } path ? $"; problem at {path}" : "")}.");
        }

        return rule is null ? (null, "The rule must be a JSON object of a fault rule (docs/sandbox.md).") : rule.Validate() is { } problem ? (null, problem) : (rule, null);
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow };
}
