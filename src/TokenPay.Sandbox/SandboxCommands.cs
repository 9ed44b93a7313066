using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TokenPay.Client;
using TokenPay.Merchant.Cli;
using TokenPay.Protocol.Models;

namespace TokenPay.Sandbox;

/// <summary>Says no sandbox could be found or reached; one sentence, exit code 3 (as the merchant commands' "not reachable").</summary>
internal sealed class SandboxUnreachableException(string message) : Exception(message);

/// <summary>Says the running sandbox refused or could not do a well-formed command; one sentence, exit code 1.</summary>
internal sealed class SandboxRefusedException(string message) : Exception(message);

/// <summary>
/// The commands that drive a running sandbox (docs/sandbox.md): <c>clock</c>, <c>faults</c>, <c>listen</c>,
/// <c>logs tail</c> and <c>trigger</c> (payments, saved cards, refunds and disputes). They speak to the sandbox's gateway on 127.0.0.1 as its operator.
/// <c>env</c> prints the sandbox merchant's SDK settings for a shell.
/// </summary>
internal sealed class SandboxCommands(SandboxLocator locator, string invocation)
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private static readonly JsonSerializerOptions Readable = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Disputes the simulated network raises, rules or withdraws now (POST /sandbox/triggers).</summary>
    private static readonly string[] DisputeTriggers = ["dispute.created", "dispute.won", "dispute.lost", "dispute.cancelled"];

    public static readonly string[] Triggers = ["payment.succeeded", "payment.failed", "card.saved", "mit.declined", "token.updated", "refund.succeeded", .. DisputeTriggers];

    public IEnumerable<Command> Create()
    {
        yield return ClockCommand();
        yield return FaultsCommand();
        yield return ListenCommand();
        yield return LogsCommand();
        yield return TriggerCommand();
        yield return EnvCommand();
    }

    private Command ClockCommand()
    {
        var show = new Command("show", "Print the sandbox's time and how far it is ahead of real time.");
        show.SetAction(async (parse, ct) => Print(await SendAsync(parse, HttpMethod.Get, "/sandbox/clock", null, ct)));
        // Not a duration is a usage error here (exit 2); the gateway still says how far it may move (at most a year).
        var by = CommandLineStyle.DurationArgument("duration", "advance", "How far");
        var advance = new Command("advance", "Move the clock forward, running everything that falls due on the way.") { by };
        advance.SetAction(async (parse, ct) => Print(await SendAsync(parse, HttpMethod.Post, "/sandbox/clock",
            new { advance = parse.GetValue(by)!.Value.ToString("c", CultureInfo.InvariantCulture) }, ct)));
        var at = new Argument<string>("time") { Description = "An ISO 8601 time with offset, such as 2027-01-01T00:00:00Z." };
        var to = new Command("to", "Move the clock forward to a time.") { at };
        to.SetAction(async (parse, ct) => Print(await SendAsync(parse, HttpMethod.Post, "/sandbox/clock", new { to = parse.GetValue(at) }, ct)));
        var clock = new Command("clock", "Show or move the sandbox clock (shared by the gateway and the merchant).") { show, advance, to };
        clock.SetAction(async (parse, ct) => Print(await SendAsync(parse, HttpMethod.Get, "/sandbox/clock", null, ct)));
        return clock;
    }

    private Command FaultsCommand()
    {
        var list = new Command("list", "The failure rules still in force.");
        list.SetAction(async (parse, ct) => Print(await SendAsync(parse, HttpMethod.Get, "/sandbox/faults", null, ct)));
        var json = new Argument<JsonElement>("rule")
        {
            Description = "The rule as JSON, e.g. '{\"kind\":\"api.lost-answer\",\"userId\":\"alice\"}' (docs/sandbox.md).",
            // Not JSON is a usage error (exit 2); a rule the sandbox does not take is its refusal (exit 1).
            CustomParser = result =>
            {
                try
                {
                    return JsonSerializer.Deserialize<JsonElement>(result.Tokens.Count > 0 ? result.Tokens[0].Value : "");
                }
                catch (JsonException)
                {
                    result.AddError("The rule is not JSON; see docs/sandbox.md for the kinds and their fields.");
                    return default;
                }
            },
        };
        var add = new Command("add", "Set a failure rule.") { json };
        add.SetAction(async (parse, ct) => Print(await SendAsync(parse, HttpMethod.Post, "/sandbox/faults", parse.GetValue(json), ct)));
        var id = new Argument<string>("id") { Description = "The rule's id (flt_...)." };
        var remove = new Command("remove", "Remove a failure rule before its uses are spent.") { id };
        remove.SetAction(async (parse, ct) =>
        {
            await SendAsync(parse, HttpMethod.Delete, $"/sandbox/faults/{Uri.EscapeDataString(parse.GetValue(id)!)}", null, ct);
            Console.WriteLine($"Removed {parse.GetValue(id)}.");
        });
        return new Command("faults", "List, set and remove the sandbox's failure rules.") { list, add, remove };
    }

    private Command ListenCommand()
    {
        var forwardTo = new Option<string?>("--forward-to") { Description = "Also send every notification, signed as usual, to this local URL and print its answer." };
        var duration = DurationOption();
        var listen = new Command("listen", "Print each notification attempt as it happens; with --forward-to, forward notifications to a local URL. Stop with Ctrl+C.") { forwardTo, duration };
        listen.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(forwardTo) is { } url ? $"/sandbox/listen?forwardTo={Uri.EscapeDataString(url)}&after={await LatestEventAsync(parse, ct)}" : $"/admin/events?after={await LatestEventAsync(parse, ct)}";
            await FollowAsync(parse, path, parse.GetValue(duration), entry => entry.Kind switch
            {
                // The gateway's first event: connected (and forwarding from now on).
                "ready" => parse.GetValue(forwardTo) is { } target ? $"Listening; forwarding notifications to {target}." : "Listening for notifications.",
                "notification.attempt" => $"-> {entry.Message}",
                "notification.forwarded" => $"=> {entry.Message}{(entry.Data?.GetValueOrDefault("answer") is { Length: > 0 } answer ? $"\n   answer: {answer}" : "")}",
                "fault.fired" or "clock.moved" or "notification.resent" => $"   {entry.Message}",
                _ => null,
            }, ct);
        });
        return listen;
    }

    private Command LogsCommand()
    {
        var duration = DurationOption();
        var tail = new Command("tail", "Print each request the gateway serves: method, path, status, PayerMax code and milliseconds. Stop with Ctrl+C.") { duration };
        tail.SetAction(async (parse, ct) =>
            await FollowAsync(parse, $"/admin/events?after={await LatestEventAsync(parse, ct)}", parse.GetValue(duration), entry => entry.Kind switch
            {
                "ready" => "Following the gateway's requests.",
                "request" => entry.Message,
                _ => null,
            }, ct));
        return new Command("logs", "The gateway's request log.") { tail };
    }

    private Command TriggerCommand()
    {
        var what = new Argument<string>("event") { Description = $"One of: {string.Join(", ", Triggers)}." };
        what.AcceptOnlyFromAmong(Triggers);
        var user = new Option<string?>("--user") { Description = "The customer the orders are for (default: a new trigger_... user)." };
        var order = new Option<string?>("--order") { Description = "dispute.created: the paid order (its outTradeNo) the cardholder disputes." };
        var reason = new Option<string?>("--reason") { Description = $"dispute.created: why; one of {string.Join(", ", Reasons)}." };
        var caseId = new Option<string?>("--case") { Description = "dispute.won, dispute.lost, dispute.cancelled: the case id (from the CHARGEBACK notification, caseList or dispute.created)." };
        var trigger = new Command("trigger", "Create what an event needs as the sandbox merchant, so its notifications go out (watch them with listen). " +
            "Disputes: trigger dispute.created --order <outTradeNo> --reason fraud, then trigger dispute.won|dispute.lost|dispute.cancelled --case <caseId>.")
        {
            what, user, order, reason, caseId,
        };
        trigger.Validators.Add(result => CheckDisputeOptions(result, result.GetValue(what), result.GetValue(user), result.GetValue(order), result.GetValue(reason), result.GetValue(caseId)));
        trigger.SetAction(async (parse, ct) =>
        {
            var name = parse.GetValue(what)!;
            if (DisputeTriggers.Contains(name))
            {
                // As the sandbox's own merchant: its orders and cases.
                var keys = await SandboxKeys.LoadOrCreateAsync(Path.Combine(locator.Locate(parse).RequireData(invocation), "sandbox.json"));
                Print(await SendAsync(parse, HttpMethod.Post, "/sandbox/triggers",
                    new { @event = name, outTradeNo = parse.GetValue(order), reason = parse.GetValue(reason), caseId = parse.GetValue(caseId), merchantNo = keys.MerchantNo }, ct));
                return;
            }

            await TriggerAsync(parse, name, parse.GetValue(user), ct);
        });
        return trigger;
    }

    private static IEnumerable<string> Reasons => DisputeReasons.All.Select(r => r.ToLowerInvariant());

    // Each event with the options it takes, and only those: a usage error (exit 2) says how to type it.
    private static void CheckDisputeOptions(System.CommandLine.Parsing.CommandResult result, string? what, string? user, string? order, string? reason, string? caseId)
    {
        var error = what switch
        {
            "dispute.created" when order is null || reason is null => "dispute.created needs --order <outTradeNo> and --reason <reason>, e.g. trigger dispute.created --order ord_1 --reason fraud.",
            "dispute.created" when !Reasons.Contains(reason!.ToLowerInvariant()) => $"--reason must be one of {string.Join(", ", Reasons)} (got '{reason}').",
            "dispute.created" when caseId is not null || user is not null => "dispute.created takes --order and --reason only.",
            "dispute.won" or "dispute.lost" or "dispute.cancelled" when caseId is null => $"{what} needs --case <caseId>, e.g. trigger {what} --case D123.",
            "dispute.won" or "dispute.lost" or "dispute.cancelled" when order is not null || reason is not null || user is not null => $"{what} takes --case only.",
            _ when what is not null && !DisputeTriggers.Contains(what) && (order is not null || reason is not null || caseId is not null) => "--order, --reason and --case are for the dispute events only.",
            _ => null,
        };
        if (error is not null)
        {
            result.AddError(error);
        }
    }

    private Command EnvCommand()
    {
        var env = new Command("env", "Print the sandbox merchant's SDK settings as shell exports (PAYERMAX_BASE_URL, _APP_ID, _MERCHANT_NO, _MERCHANT_PRIVATE_KEY, " +
            "_PLATFORM_PUBLIC_KEY), for a program on TokenPay.Client such as samples/TokenPay.Sample: eval \"$(... env)\". It prints the sandbox's own merchant private key.");
        env.SetAction(async (parse, _) =>
        {
            var target = locator.Locate(parse);
            // The keys of the sandbox found (never new ones: the gateway would not know them).
            var keys = await SandboxKeys.LoadOrCreateAsync(Path.Combine(target.RequireData(invocation), "sandbox.json"));
            foreach (var (name, value) in ((string, string)[])[
                ("PAYERMAX_BASE_URL", target.GatewayUrl), ("PAYERMAX_APP_ID", keys.AppId), ("PAYERMAX_MERCHANT_NO", keys.MerchantNo),
                ("PAYERMAX_MERCHANT_PRIVATE_KEY", keys.MerchantPrivateKey), ("PAYERMAX_PLATFORM_PUBLIC_KEY", keys.PlatformPublicKey)])
            {
                // Base64, digits and letters only: single quotes keep them as they are in any POSIX shell.
                Console.WriteLine($"export {name}='{value}'");
            }
        });
        return env;
    }

    private static Option<TimeSpan?> DurationOption() => CommandLineStyle.DurationOption("--for", "Stop after this long, otherwise on Ctrl+C");

    private async Task TriggerAsync(ParseResult parse, string what, string? customer, CancellationToken cancellationToken)
    {
        await using var provider = await SandboxMerchantClientAsync(parse);
        try
        {
            await RunTriggerAsync(parse, provider.GetRequiredService<PayerMaxClient>(), what, customer, cancellationToken);
        }
        catch (PayerMaxTransportException ex) when (ex.NothingSent)
        {
            throw Unreachable(parse);
        }
        catch (PayerMaxSignatureException ex)
        {
            // Say what happened: a gateway that answers but does not know these keys is another sandbox, not a stopped one.
            throw new SandboxUnreachableException($"The sandbox gateway at {GatewayUrl(parse)} answered, but not as the sandbox whose keys are in {locator.Locate(parse).Data}: {ex.Message.TrimEnd('.')}. Pass the --data folder of the sandbox running there.");
        }
        catch (PayerMaxException ex)
        {
            throw new SandboxRefusedException($"The sandbox gateway at {GatewayUrl(parse)} did not complete the payment: {ex.Message}");
        }
    }

    // The SDK as the sandbox's own merchant, with the keys of the sandbox found (never new ones: the gateway would not know them).
    private async Task<ServiceProvider> SandboxMerchantClientAsync(ParseResult parse)
    {
        var keys = await SandboxKeys.LoadOrCreateAsync(Path.Combine(locator.Locate(parse).RequireData(invocation), "sandbox.json"));
        var services = new ServiceCollection();
        services.AddPayerMaxClient(o =>
        {
            o.Environment = PayerMaxEnvironment.Custom;
            o.BaseUrl = new Uri(GatewayUrl(parse));
            o.AppId = keys.AppId;
            o.MerchantNo = keys.MerchantNo;
            o.MerchantPrivateKey = keys.MerchantPrivateKey;
            o.PlatformPublicKey = keys.PlatformPublicKey;
            o.MaxRetries = 0;
        });
        return services.BuildServiceProvider();
    }

    // Makes the event happen as a merchant would, with orders of its own (trg_..._RUN) and a new customer unless one is named.
    private async Task RunTriggerAsync(ParseResult parse, PayerMaxClient client, string what, string? customer, CancellationToken cancellationToken)
    {
        var run = Guid.NewGuid().ToString("N")[..10];
        var user = customer ?? $"trigger_{run}";
        var buyer = new BuyerInfo { ClientIp = "127.0.0.1", UserAgent = "tokenpay trigger" };
        OrderDetails Order(string kind, decimal amount) => new($"trg_{kind}_{run}", $"tokenpay trigger {what}", amount, "USD", "US", user);
        CardInfo Card(string number) => new() { CardIdentifierNo = number, CardHolderFullName = "Trigger Test", CardExpirationMonth = "12", CardExpirationYear = "35", Cvv = "123" };

        switch (what)
        {
            case "payment.succeeded":
            case "payment.failed":
                var status = await PayAsync(client, PaymentRequests.CardPayment(Order("pay", 10.00m), Card(what == "payment.succeeded" ? "4444333322221111" : "4000000000000002"), buyer), cancellationToken);
                Console.WriteLine($"Order trg_pay_{run}: {status}; its PAYMENT notification goes to the merchant's notify URL.");
                break;
            case "card.saved":
                var saved = await SaveCardAsync(client, Order("save", 1.00m), Card("4444333322221111"), buyer, cancellationToken);
                Console.WriteLine($"Saved card {saved} for {user} (order trg_save_{run}, 1.00 USD); the merchant's wallet gets it from the notification, or from: merchant wallet list --user {user}");
                break;
            case "mit.declined":
                var token = await SaveCardAsync(client, Order("save", 1.00m), Card("4000000000000341"), buyer, cancellationToken);
                var mit = await client.OrderAndPayAsync(PaymentRequests.UnscheduledMit(Order("mit", 25.00m), token, buyer), cancellationToken);
                Console.WriteLine($"Saved card {token} for {user}; MIT trg_mit_{run}: {mit.Code} {mit.Data?.Status} {mit.Data?.ResultCode}; PAYMENT notifications for both.");
                break;
            case "token.updated":
                var renewed = await SaveCardAsync(client, Order("save", 1.00m), Card("4000000000001117"), buyer, cancellationToken);
                Console.WriteLine($"Saved card {renewed} for {user}; its issuer renews it 7 days after first use: moving the sandbox clock 8 days.");
                Print(await SendAsync(parse, HttpMethod.Post, "/sandbox/clock", new { advance = "8.00:00:00" }, cancellationToken));
                Console.WriteLine("The account updater changed the card behind the same token; a TOKENIZATION notification says so.");
                break;
            case "refund.succeeded":
                var order = Order("pay", 10.00m);
                var payment = await PayAsync(client, PaymentRequests.CardPayment(order, Card("4444333322221111"), buyer), cancellationToken);
                var paid = await client.OrderQueryAsync(new OrderQueryRequest { OutTradeNo = order.OutTradeNo }, cancellationToken);
                var refund = paid.Data is { } view
                    ? await client.RefundAsync(RefundRequests.Partial($"trg_refund_{run}", view, 4.00m, "tokenpay trigger"), cancellationToken)
                    : throw new SandboxRefusedException($"The order was not found: {paid.Code} {paid.Msg}");
                Console.WriteLine($"Order {order.OutTradeNo}: {payment}; refund trg_refund_{run}: {refund.Code} {refund.Data?.Status}. Refunds end 5 s later: moving the sandbox clock a minute.");
                Print(await SendAsync(parse, HttpMethod.Post, "/sandbox/clock", new { advance = "00:01:00" }, cancellationToken));
                break;
        }
    }

    // The SDK's documented recovery: an unknown outcome (a lost answer) is settled by querying the order number.
    private static async Task<string> PayAsync(PayerMaxClient client, OrderAndPayRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var paid = await client.OrderAndPayAsync(request, cancellationToken);
            return $"{paid.Code} {paid.Data?.Status}";
        }
        catch (PayerMaxException ex) when (!ex.IsRetrySafe)
        {
            var found = await client.OrderQueryAsync(new OrderQueryRequest { OutTradeNo = request.OutTradeNo! }, cancellationToken);
            return $"the answer was lost ({ex.GetType().Name}); orderQuery by outTradeNo says {found.Code} {found.Data?.Status}";
        }
    }

    private static async Task<string> SaveCardAsync(PayerMaxClient client, OrderDetails order, CardInfo card, BuyerInfo buyer, CancellationToken cancellationToken)
    {
        await client.OrderAndPayAsync(PaymentRequests.CardPaymentAndSave(order, card, buyer, MitType.Unscheduled), cancellationToken);
        var saved = await client.OrderQueryAsync(new OrderQueryRequest { OutTradeNo = order.OutTradeNo }, cancellationToken);
        return saved.Data?.PaymentDetails is [{ PaymentTokenId: { } token }, ..] ? token : throw new SandboxRefusedException($"The card was not saved: {saved.Code} {saved.Msg}");
    }

    // Follows the event log; prints what `line` makes of each event, until Ctrl+C or the duration ends.
    private async Task FollowAsync(ParseResult parse, string path, TimeSpan? duration, Func<GatewayEventLine, string?> line, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (duration is { } limit)
        {
            stop.CancelAfter(limit);
        }

        using var http = new HttpClient { BaseAddress = new Uri(GatewayUrl(parse)), Timeout = Timeout.InfiniteTimeSpan };
        try
        {
            using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, stop.Token);
            await EnsureAsync(response, stop.Token);
            await using var stream = await response.Content.ReadAsStreamAsync(stop.Token);
            await foreach (var item in SseParser.Create(stream, (_, bytes) => JsonSerializer.Deserialize<GatewayEventLine>(bytes, Web)).EnumerateAsync(stop.Token))
            {
                if (item.Data is { } entry && line(entry) is { } text)
                {
                    Console.WriteLine($"{entry.At.ToString("HH:mm:ss", CultureInfo.InvariantCulture)} {text}");
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Ctrl+C or --for: a normal end.
        }
        catch (HttpRequestException)
        {
            throw Unreachable(parse);
        }
    }

    private async Task<long> LatestEventAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var kept = JsonSerializer.Deserialize<List<GatewayEventLine>>(await SendAsync(parse, HttpMethod.Get, "/admin/log", null, cancellationToken), Web);
        return kept is [.., var last] ? last.Id : 0;
    }

    private async Task<string> SendAsync(ParseResult parse, HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = new Uri(GatewayUrl(parse)), Timeout = TimeSpan.FromMinutes(10) };
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            await EnsureAsync(response, cancellationToken);
            return await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException)
        {
            throw Unreachable(parse);
        }
    }

    private static async Task EnsureAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        // A gateway not in sandbox mode is no sandbox there (exit 3); anything else is the sandbox's refusal (exit 1).
        throw response.StatusCode == HttpStatusCode.NotFound && text.Length == 0
            ? new SandboxUnreachableException("Refused: the gateway there is not in sandbox mode (Gateway:Sandbox:Enabled)")
            : new SandboxRefusedException($"Refused: {TryError(text) ?? $"HTTP {(int)response.StatusCode}"}");
    }

    private static string? TryError(string text)
    {
        try
        {
            return JsonDocument.Parse(text).RootElement.TryGetProperty("error", out var error) ? error.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private SandboxUnreachableException Unreachable(ParseResult parse) =>
        new($"No sandbox answers at {GatewayUrl(parse)}; start it first ({SandboxTarget.StartCommand(invocation)}), or pass its --gateway-port.");

    private string GatewayUrl(ParseResult parse) => locator.Locate(parse).GatewayUrl;

    /// <summary>How far the running sandbox's clock is ahead of real time; null when no sandbox answers there.</summary>
    public static async Task<TimeSpan?> ClockOffsetAsync(string gatewayUrl)
    {
        using var http = new HttpClient { BaseAddress = new Uri(gatewayUrl), Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            var clock = await http.GetFromJsonAsync<JsonElement>("/sandbox/clock");
            return TimeSpan.TryParseExact(clock.GetProperty("offset").GetString(), "c", CultureInfo.InvariantCulture, out var offset) ? offset : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            // No sandbox there (the command says so if it needs the gateway): real time.
            return null;
        }
    }

    private static void Print(string json)
    {
        try
        {
            Console.WriteLine(JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement, Readable));
        }
        catch (JsonException)
        {
            Console.WriteLine(json);
        }
    }

    /// <summary>An event as the gateway sends it (TokenPay.Gateway.Core.GatewayEvent).</summary>
    private sealed record GatewayEventLine(long Id, DateTimeOffset At, string Kind, string Message, Dictionary<string, string?>? Data);
}
