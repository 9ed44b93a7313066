// The token + MIT story with TokenPay.Client against a gateway (a local TokenPay gateway, or PayerMax UAT):
// save a card on a first payment, charge it later without the customer, then unbind it.
//
//   PAYERMAX_BASE_URL=http://127.0.0.1:5070 PAYERMAX_APP_ID=... PAYERMAX_MERCHANT_NO=... \
//   PAYERMAX_MERCHANT_PRIVATE_KEY=... PAYERMAX_PLATFORM_PUBLIC_KEY=... dotnet run --project samples/TokenPay.Sample
//
// or, as the running sandbox's merchant:
//
//   eval "$(dotnet run --project src/TokenPay.Sandbox -- env)"; dotnet run --project samples/TokenPay.Sample
using Microsoft.Extensions.DependencyInjection;
using TokenPay.Client;
using TokenPay.Protocol.Models;

string[] required = ["PAYERMAX_BASE_URL", "PAYERMAX_APP_ID", "PAYERMAX_MERCHANT_NO", "PAYERMAX_MERCHANT_PRIVATE_KEY", "PAYERMAX_PLATFORM_PUBLIC_KEY"];
if (required.Where(name => string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name))).ToList() is { Count: > 0 } missing)
{
    Console.Error.WriteLine($"Set {string.Join(", ", missing)} (README.md, \"The SDK\", shows how; for the running sandbox's merchant: eval \"$(dotnet run --project src/TokenPay.Sandbox -- env)\").");
    return 2;
}

if (!Uri.TryCreate(Setting("PAYERMAX_BASE_URL"), UriKind.Absolute, out var baseUrl))
{
    Console.Error.WriteLine("PAYERMAX_BASE_URL must be an absolute URL such as http://127.0.0.1:5070.");
    return 2;
}

var services = new ServiceCollection();
services.AddPayerMaxClient(o =>
{
    o.Environment = PayerMaxEnvironment.Custom;
    o.BaseUrl = baseUrl;
    o.AppId = Setting("PAYERMAX_APP_ID");
    o.MerchantNo = Setting("PAYERMAX_MERCHANT_NO");
    o.MerchantPrivateKey = Setting("PAYERMAX_MERCHANT_PRIVATE_KEY");
    o.PlatformPublicKey = Setting("PAYERMAX_PLATFORM_PUBLIC_KEY");
});
await using var provider = services.BuildServiceProvider();
var client = provider.GetRequiredService<PayerMaxClient>();

var run = Guid.NewGuid().ToString("N")[..8];
var userId = $"sample_user_{run}";
var buyer = new BuyerInfo { ClientIp = "203.0.113.7", UserAgent = "TokenPay.Sample" };
var card = new CardInfo { CardIdentifierNo = "4444333322221111", CardHolderFullName = "Sample Customer", CardExpirationMonth = "12", CardExpirationYear = "30", Cvv = "123" };

// 1. First payment, customer present: pay 10.00 USD and save the card for unscheduled MIT.
var first = await client.OrderAndPayAsync(PaymentRequests.CardPaymentAndSave(
    new OrderDetails($"sample_first_{run}", "First order", 10.00m, "USD", "US", userId), card, buyer, MitType.Unscheduled));
Console.WriteLine($"first payment: {first.Code} {first.Data?.Status}");

// 2. The saved card, from the query (or the notification).
var order = await client.OrderQueryAsync(new OrderQueryRequest { OutTradeNo = $"sample_first_{run}" });
var tokenId = (order.Data?.PaymentDetails is [var detail, ..] ? detail.PaymentTokenId : null)
    ?? throw new InvalidOperationException($"No token was saved: {order.Code} {order.Msg}");
Console.WriteLine($"saved card: {tokenId} ({order.Data!.PaymentDetails[0].CardInfo?.CardIdentifierNo})");

// 3. Later, without the customer: an unscheduled MIT of another amount.
var mitNo = $"sample_mit_{run}";
try
{
    var mit = await client.OrderAndPayAsync(PaymentRequests.UnscheduledMit(new OrderDetails(mitNo, "Top-up", 4.20m, "USD", "US", userId), tokenId, buyer));
    Console.WriteLine($"MIT: {mit.Code} {mit.Data?.Status} {mit.Data?.ResultCode}");
}
catch (PayerMaxException ex) when (!ex.IsRetrySafe)
{
    // The outcome is unknown: the order number tells.
    var recovered = await client.OrderQueryAsync(new OrderQueryRequest { OutTradeNo = mitNo });
    Console.WriteLine($"MIT outcome after a failure: {recovered.Code} {recovered.Data?.Status}");
}

// 4. Part of the first payment goes back: accepted now (REFUND_PENDING), final later (refundQuery or the REFUND notification).
var refund = await client.RefundAsync(RefundRequests.Partial($"sample_refund_{run}", order.Data!, 3.00m, "Damaged item"));
Console.WriteLine($"refund: {refund.Code} {refund.Data?.Status} ({refund.Data?.RefundTradeNo})");

// 5. The customer removes the card; a further MIT is refused and charges nothing.
var removed = await client.RemovePaymentTokenAsync(new RemovePaymentTokenRequest { UserId = userId, PaymentTokenId = tokenId, RemoveReason = "customer request" });
Console.WriteLine($"removed: {removed.Data?.PaymentTokenStatus}");
var refused = await client.OrderAndPayAsync(PaymentRequests.UnscheduledMit(new OrderDetails($"sample_mit2_{run}", "Top-up", 4.20m, "USD", "US", userId), tokenId, buyer));
Console.WriteLine($"MIT after removal: {refused.Code} ({refused.Msg})");
return refused.Code == "TOKEN_INVALID" ? 0 : 1;

// Checked above: every setting is present.
static string Setting(string name) => Environment.GetEnvironmentVariable(name)!;
