// The sandbox: `dotnet run --project src/TokenPay.Sandbox` starts a gateway and the demo merchant on
// 127.0.0.1 with SQLite files and freshly generated keys under ./sandbox-data (kept across restarts).
// `dotnet run --project src/TokenPay.Sandbox -- merchant <command>` runs a merchant command
// (charge, charge-batch, wallet, reconcile) against the sandbox's merchant.
using System.Globalization;
using TokenPay.Gateway.Hosting;
using TokenPay.Merchant.Cli;
using TokenPay.Merchant.Hosting;
using TokenPay.Merchant.Security;
using TokenPay.Sandbox;

string Option(string name, string fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;

var data = Path.GetFullPath(Option("--data", "sandbox-data"));
var gatewayPort = int.Parse(Option("--gateway-port", "5080"), CultureInfo.InvariantCulture);
var merchantPort = int.Parse(Option("--merchant-port", "5090"), CultureInfo.InvariantCulture);
Directory.CreateDirectory(data);
var keys = await SandboxKeys.LoadOrCreateAsync(Path.Combine(data, "sandbox.json"));
var gatewayUrl = $"http://127.0.0.1:{gatewayPort}";
var merchantUrl = $"http://127.0.0.1:{merchantPort}";
var operatorPasswordHash = OperatorLogin.Hash(keys.OperatorPassword!);

void Merchant(WebApplicationBuilder builder)
{
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Merchant:ConnectionString"] = $"Data Source={Path.Combine(data, "merchant.db")}",
        ["Merchant:PublicBaseUrl"] = merchantUrl,
        ["Merchant:NotifyUrl"] = $"{merchantUrl}/payermax/notify",
        ["PayerMax:Environment"] = "Custom",
        ["PayerMax:BaseUrl"] = gatewayUrl,
        ["PayerMax:AppId"] = keys.AppId,
        ["PayerMax:MerchantNo"] = keys.MerchantNo,
        ["PayerMax:MerchantPrivateKey"] = keys.MerchantPrivateKey,
        ["PayerMax:PlatformPublicKey"] = keys.PlatformPublicKey,
        ["Merchant:Operator:ApiKey"] = keys.OperatorApiKey,
        ["Merchant:Operator:PasswordHash"] = operatorPasswordHash,
        ["Logging:LogLevel:Default"] = "Warning",
    });
}

if (args.Length > 0 && args[0] == "merchant")
{
    return await MerchantCommands.RunAsync(args[1..], Merchant);
}

var gateway = await GatewayApp.CreateAsync([], builder =>
{
    builder.WebHost.UseUrls(gatewayUrl);
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Gateway:Storage:ConnectionString"] = $"Data Source={Path.Combine(data, "gateway.db")}",
        ["Gateway:PlatformPrivateKey"] = keys.PlatformPrivateKey,
        ["Gateway:PublicBaseUrl"] = gatewayUrl,
        ["Gateway:Merchants:0:AppId"] = keys.AppId,
        ["Gateway:Merchants:0:MerchantNo"] = keys.MerchantNo,
        ["Gateway:Merchants:0:PublicKey"] = keys.MerchantPublicKey,
        ["Gateway:Merchants:0:NotifyUrl"] = $"{merchantUrl}/payermax/notify",
        ["Gateway:Merchants:0:TokenizationNotifications"] = "true",
        // The merchant listens on loopback.
        ["Gateway:Notifications:AllowPrivateNetworks"] = "true",
        ["Logging:LogLevel:Default"] = "Warning",
    });
});
var merchant = await MerchantApp.CreateAsync([], builder =>
{
    builder.WebHost.UseUrls(merchantUrl);
    Merchant(builder);
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Merchant:ReconcileAfter"] = "00:01:00" });
});

await gateway.StartAsync();
await merchant.StartAsync();
Console.WriteLine($"""

    TokenPay sandbox is running (data in {data}; stop with Ctrl+C, start again to continue).

      Shop      {merchantUrl}/                 sign in with any name, buy, saved cards ({merchantUrl}/shop/wallet)
      Operator  {merchantUrl}/shop/operator    user operator, password {keys.OperatorPassword}
      API       {merchantUrl}/api/...          header X-Operator-Key: {keys.OperatorApiKey}
      Gateway   {gatewayUrl}/aggregate-pay/api/gateway/   PayerMax API; platform public key at {gatewayUrl}/platform-public-key

      Sandbox merchant: appId {keys.AppId}, merchantNo {keys.MerchantNo}; keys in {Path.Combine(data, "sandbox.json")}

    Try: open the shop, sign in with any name, tick "Save my card", pay with 4000000000003220 (any future expiry, CVV 123),
    pass the 3-D Secure page, then charge the saved card from the operator page, then remove it:
      curl -s {merchantUrl}/api/wallet/YOUR_NAME -H 'X-Operator-Key: {keys.OperatorApiKey}'

      4444333322221111, 4242424242424242, 5555555555554444, 378282246310005   success
      4000000000003220   3-D Secure challenge        4000000000009995   BALANCE_INSUFFICIENT
      4000000000000002   ISSUER_PAYMENT_REJECTED     4000000000000069   CARD_EXPIRE_DATE_INVALID
      4000000000000127   CVV_INVALID                 4000000000000341   saves fine, later MIT declined
      subject FAILED / PENDING / 3DS drive outcomes too (PayerMax sandbox habit)

    Merchant commands: dotnet run --project src/TokenPay.Sandbox -- merchant wallet list --user demo_user

    """);
await Task.WhenAll(gateway.WaitForShutdownAsync(), merchant.WaitForShutdownAsync());
return 0;
