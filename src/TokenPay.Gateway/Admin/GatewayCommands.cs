using System.Globalization;
using TokenPay.Gateway.Hosting;
using TokenPay.Gateway.Storage;

namespace TokenPay.Gateway.Admin;

/// <summary>
/// Operator verbs run against the configured database instead of starting the server:
/// <c>notifications list [--status Failed]</c>, <c>notifications attempts ID</c>, <c>notifications resend ID</c>.
/// A running gateway picks a re-sent notification up within its poll interval.
/// </summary>
internal static class GatewayCommands
{
    public static async Task<int?> TryRunAsync(string[] args, TextWriter output)
    {
        if (args.Length == 0 || args[0] != "notifications")
        {
            return null;
        }

        var configuration = WebApplication.CreateBuilder(args[1..]).Configuration;
        var options = configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();
        var store = new SqliteGatewayStore(options.Storage.ConnectionString);
        await store.MigrateAsync(CancellationToken.None);

        var verb = args.Length > 1 ? args[1] : "list";
        switch (verb)
        {
            case "list":
                var status = args.SkipWhile(a => a != "--status").Skip(1).FirstOrDefault();
                await output.WriteLineAsync("id\torder\ttype\tstatus\tattempts\tnext attempt\turl");
                foreach (var n in await store.ListNotificationsAsync(status, 200, CancellationToken.None))
                {
                    await output.WriteLineAsync($"{n.Id}\t{n.OutTradeNo}\t{n.NotifyType}\t{n.Status}\t{n.Attempts}\t{Time(n.NextAttemptAt)}\t{n.Url}");
                }

                return 0;

            case "attempts" when args.Length > 2 && long.TryParse(args[2], CultureInfo.InvariantCulture, out var id):
                await output.WriteLineAsync("attempt\tstarted\thttp\tlatency ms\terror\tresponse");
                foreach (var a in await store.ListAttemptsAsync(id, CancellationToken.None))
                {
                    await output.WriteLineAsync($"{a.Attempt}\t{Time(a.StartedAt)}\t{a.HttpStatus}\t{a.LatencyMs}\t{a.Error}\t{a.ResponseExcerpt}");
                }

                return 0;

            case "resend" when args.Length > 2 && long.TryParse(args[2], CultureInfo.InvariantCulture, out var id):
                if (!await store.ResendNotificationAsync(id, TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds(), CancellationToken.None))
                {
                    await output.WriteLineAsync($"No notification {id}.");
                    return 1;
                }

                await output.WriteLineAsync($"Notification {id} will be sent again with the same body.");
                return 0;

            default:
                await output.WriteLineAsync("usage: notifications list [--status Pending|Delivered|Failed] | notifications attempts ID | notifications resend ID");
                return 2;
        }
    }

    private static string Time(long? unixMs) =>
        unixMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("u", CultureInfo.InvariantCulture) : "-";
}
