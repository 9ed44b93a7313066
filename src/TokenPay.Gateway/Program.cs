using TokenPay.Gateway.Admin;
using TokenPay.Gateway.Hosting;

if (await GatewayCommands.TryRunAsync(args, Console.Out) is { } exitCode)
{
    return exitCode;
}

var app = await GatewayApp.CreateAsync(args);
await app.RunAsync();
return 0;
