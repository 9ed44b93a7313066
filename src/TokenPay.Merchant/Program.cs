using TokenPay.Merchant.Cli;
using TokenPay.Merchant.Hosting;

if (MerchantCommands.IsCommand(args))
{
    return await MerchantCommands.RunAsync(args);
}

var app = await MerchantApp.CreateAsync(args);
await app.RunAsync();
return 0;
