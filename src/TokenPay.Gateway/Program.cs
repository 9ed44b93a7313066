using TokenPay.Gateway.Admin;
using TokenPay.Gateway.Core;
using TokenPay.Gateway.Hosting;
using TokenPay.Hosting;
using TokenPay.Storage;

try
{
    if (await GatewayCommands.TryRunAsync(args, Console.Out) is { } exitCode)
    {
        return exitCode;
    }

    await using var app = await GatewayApp.CreateAsync(args);
    await app.StartOrStopAsync();
    await app.WaitForShutdownAsync();
    return 0;
}
catch (Exception ex) when (ex is StorageUnavailableException or GatewayConfigurationException or Microsoft.Extensions.Options.OptionsValidationException)
{
    // A configuration or outage a person fixes: one sentence, no stack trace.
    await Console.Error.WriteLineAsync(ex.Message);
    return 1;
}
catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
{
    // Most often the sandbox already listens there: say so instead of a stack trace.
    await Console.Error.WriteLineAsync($"{ex.Message.TrimEnd('.')}: another process (the sandbox?) listens there. Stop it, or give this gateway another port with --urls http://127.0.0.1:PORT.");
    return 1;
}
