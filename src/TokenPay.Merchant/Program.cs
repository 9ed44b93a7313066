using TokenPay.Merchant.Cli;
using TokenPay.Merchant.Hosting;

// A first word (charge, wallet, ...) or a help flag is a command (see --help); otherwise the server starts,
// with any configuration arguments (--urls, --Merchant:Key=value).
try
{
    if (args.Length > 0 && (!args[0].StartsWith('-') || args[0] is "--help" or "-h" or "-?" or "--version"))
    {
        return await MerchantCommands.RunAsync(args);
    }

    var app = await MerchantApp.CreateAsync(args);
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (ex is TokenPay.Storage.StorageUnavailableException or Microsoft.Extensions.Options.OptionsValidationException)
{
    // A configuration or outage a person fixes: one sentence, no stack trace.
    await Console.Error.WriteLineAsync(ex.Message);
    return 1;
}
