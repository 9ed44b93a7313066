using System.CommandLine;
using System.Globalization;
using TokenPay.Acquiring.Simulator;
using TokenPay.Gateway.Core;
using TokenPay.Gateway.Storage;

namespace TokenPay.Gateway.Admin;

/// <summary>
/// Operator verbs run against the configured database instead of starting the server:
/// <c>notifications list [--status Failed]</c>, <c>notifications attempts ID</c>, <c>notifications resend ID</c>, <c>migrate</c>.
/// A running gateway picks a re-sent notification up within its poll interval. Arguments that look like
/// configuration keys (<c>--Gateway:Storage:ConnectionString=...</c>) are configuration. Exit codes: 0 done,
/// 1 not found, 2 a usage error.
/// </summary>
internal static class GatewayCommands
{
    /// <summary>Runs a verb; null when the arguments are not a verb (the server starts instead).</summary>
    public static async Task<int?> TryRunAsync(string[] args, TextWriter output)
    {
        if (args.Length == 0 || args[0] is not ("notifications" or "migrate" or "--help" or "-h" or "-?"))
        {
            return null;
        }

        var commandLine = args.Where(a => !IsConfiguration(a)).ToArray();
        var configuration = args.Where(IsConfiguration).ToArray();

        var status = new Option<string?>("--status") { Description = "Only notifications in this state." };
        status.AcceptOnlyFromAmong(NotificationStatuses.Pending, NotificationStatuses.Delivered, NotificationStatuses.Failed);
        var list = new Command("list", "The latest 200 notifications (all merchants).") { status };
        list.SetAction((parse, ct) => WithOutboxAsync(configuration, outbox => ListAsync(outbox, parse.GetValue(status), output, ct)));

        var attemptsId = new Argument<long>("id") { Description = "The notification's id (from list)." };
        var attempts = new Command("attempts", "Every delivery attempt of one notification.") { attemptsId };
        attempts.SetAction((parse, ct) => WithOutboxAsync(configuration, outbox => AttemptsAsync(outbox, parse.GetValue(attemptsId), output, ct)));

        var resendId = new Argument<long>("id") { Description = "The notification's id (from list)." };
        var resend = new Command("resend", "Send a notification again from its first attempt (same body, same signature).") { resendId };
        resend.SetAction((parse, ct) => WithOutboxAsync(configuration, outbox => ResendAsync(outbox, parse.GetValue(resendId), output, ct)));

        var migrate = new Command("migrate", "Apply the database migrations that are not applied yet, then exit (the server also applies them at start).");
        migrate.SetAction(async (_, ct) =>
        {
            // The built-in acquirer's tables live in the same database, versioned on their own.
            var services = new ServiceCollection();
            var database = await services.AddGatewayStorageAsync(Options(configuration).Storage, ct);
            await services.AddAcquirerSimulatorAsync(database, ct);
            // Disposing the provider closes the database.
            await using var provider = services.BuildServiceProvider();
            await output.WriteLineAsync("The gateway database is up to date.");
            return 0;
        });

        var root = new RootCommand("TokenPay gateway operator commands (without a command, the gateway server starts). Exit codes: 0 done, 1 not found, 2 usage error. " +
            "Configuration keys may be passed too, e.g. --Gateway:Storage:ConnectionString=\"Data Source=tokenpay-gateway.db\".")
        {
            new Command("notifications", "The notification outbox.") { list, attempts, resend },
            migrate,
        };
        var parsed = root.Parse(commandLine);
        // Exceptions reach Program, which turns an unreachable database into one sentence.
        var exit = await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = output, EnableDefaultExceptionHandler = false });
        return parsed.Errors.Count > 0 ? 2 : exit;
    }

    private static async Task<int> ListAsync(NotificationOutbox outbox, string? status, TextWriter output, CancellationToken cancellationToken)
    {
        await output.WriteLineAsync("id\torder\ttype\tstatus\tattempts\tnext attempt\turl");
        foreach (var n in await outbox.ListAsync(status, 200, cancellationToken))
        {
            await output.WriteLineAsync($"{n.Id}\t{n.OutTradeNo}\t{n.NotifyType}\t{n.Status}\t{n.Attempts}\t{Time(n.NextAttemptAt)}\t{n.Url}");
        }

        return 0;
    }

    private static async Task<int> AttemptsAsync(NotificationOutbox outbox, long id, TextWriter output, CancellationToken cancellationToken)
    {
        // A notification not attempted yet has no attempts either: only an unknown id is "not found".
        if (!await outbox.ExistsAsync(id, cancellationToken))
        {
            await output.WriteLineAsync($"No notification {id}.");
            return 1;
        }

        await output.WriteLineAsync("attempt\tstarted\thttp\tlatency ms\terror\tresponse");
        foreach (var a in await outbox.ListAttemptsAsync(id, cancellationToken))
        {
            await output.WriteLineAsync($"{a.Attempt}\t{Time(a.StartedAt)}\t{a.HttpStatus}\t{a.LatencyMs}\t{a.Error}\t{a.ResponseExcerpt}");
        }

        return 0;
    }

    private static async Task<int> ResendAsync(NotificationOutbox outbox, long id, TextWriter output, CancellationToken cancellationToken)
    {
        if (!await outbox.ResendAsync(id, TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken))
        {
            await output.WriteLineAsync($"No notification {id}.");
            return 1;
        }

        await output.WriteLineAsync($"Notification {id} will be sent again with the same body.");
        return 0;
    }

    private static async Task<int> WithOutboxAsync(string[] configuration, Func<NotificationOutbox, Task<int>> run)
    {
        var services = new ServiceCollection();
        await services.AddGatewayStorageAsync(Options(configuration).Storage, CancellationToken.None);
        await using var provider = services.BuildServiceProvider();
        return await run(provider.GetRequiredService<NotificationOutbox>());
    }

    private static GatewayOptions Options(string[] configuration) =>
        WebApplication.CreateBuilder(configuration).Configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();

    private static bool IsConfiguration(string arg) => arg.StartsWith("--", StringComparison.Ordinal) && arg.Contains(':', StringComparison.Ordinal);

    private static string Time(long? unixMs) =>
        unixMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("u", CultureInfo.InvariantCulture) : "-";
}
