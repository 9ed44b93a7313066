using TokenPay.Merchant.Cli;
using TokenPay.Merchant.Hosting;

// A first word (charge, wallet, ...) or a help flag is a command (see --help); otherwise the server starts,
// with any configuration arguments (--urls, --Merchant:Key=value).
if (args.Length > 0 && (!args[0].StartsWith('-') || args[0] is "--help" or "-h" or "-?" or "--version"))
{
    return await MerchantCommands.RunAsync(args);
}

var app = await MerchantApp.CreateAsync(args);
await app.RunAsync();
return 0;
