using TokenPay.Gateway.Admin;
using TokenPay.Gateway.Hosting;
using TokenPay.Storage;

try
{
    if (await GatewayCommands.TryRunAsync(args, Console.Out) is { } exitCode)
    {
        return exitCode;
    }

    var app = await GatewayApp.CreateAsync(args);
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (ex is StorageUnavailableException or Microsoft.Extensions.Options.OptionsValidationException)
{
    // A configuration or outage a person fixes: one sentence, no stack trace.
    await Console.Error.WriteLineAsync(ex.Message);
    return 1;
}
