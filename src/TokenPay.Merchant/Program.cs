using TokenPay.Hosting;
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

    await using var app = await MerchantApp.CreateAsync(args);
    await app.StartOrStopAsync();
    await app.WaitForShutdownAsync();
    return 0;
}
catch (TokenPay.Storage.StorageUnavailableException ex)
{
    // An outage a person fixes: one sentence, no stack trace.
    await Console.Error.WriteLineAsync(ex.Message);
    return 1;
}
catch (Exception ex) when (MerchantApp.WrongSettings(ex) is { } wrong)
{
    // A configuration a person fixes: a sentence naming each wrong setting, no stack trace.
    await Console.Error.WriteLineAsync(wrong);
    return 1;
}
catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
{
    // Most often the sandbox's demo shop already listens there: say so instead of a stack trace.
    await Console.Error.WriteLineAsync($"{ex.Message.TrimEnd('.')}: another process (the sandbox?) listens there. Stop it, or give this merchant service another port with --urls http://127.0.0.1:PORT.");
    return 1;
}
