using Microsoft.Extensions.Options;

namespace TokenPay.Gateway.Core;

/// <summary>
/// The rules of <see cref="GatewayOptions"/> that binding cannot express. The first broken rule is the answer:
/// it names the setting in one sentence, which the gateway prints when it cannot start.
/// </summary>
internal sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions options) =>
        FirstProblem(options) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;

    /// <summary>Throws the <see cref="OptionsValidationException"/> the host would, for options read before the host is built.</summary>
    public void ThrowIfInvalid(GatewayOptions options)
    {
        if (Validate(Options.DefaultName, options) is { Failed: true } result)
        {
            throw new OptionsValidationException(GatewayOptions.Section, typeof(GatewayOptions), result.Failures);
        }
    }

    private static string? FirstProblem(GatewayOptions options)
    {
        if (options.RequestTimeWindow <= TimeSpan.Zero)
        {
            return "Gateway:RequestTimeWindow must be positive.";
        }

        if (options.MaxRequestBodyBytes is < 1024 or > 16 * 1024 * 1024)
        {
            return "Gateway:MaxRequestBodyBytes must be between 1 KiB and 16 MiB.";
        }

        foreach (var (key, otlp) in new[] { ("Gateway:Metrics:OtlpEndpoint", options.Metrics.OtlpEndpoint), ("Gateway:Tracing:OtlpEndpoint", options.Tracing.OtlpEndpoint) })
        {
            if (otlp is { Length: > 0 } && !Uri.TryCreate(otlp, UriKind.Absolute, out _))
            {
                return $"{key} must be an absolute URL.";
            }
        }

        if (options.PublicBaseUrl is { Length: > 0 } url && !Uri.TryCreate(url, UriKind.Absolute, out _))
        {
            return "Gateway:PublicBaseUrl must be an absolute URL.";
        }

        if (options.Orders.AcquirerTimeout <= TimeSpan.Zero || options.Orders.RecoverAfter <= options.Orders.AcquirerTimeout)
        {
            return "Gateway:Orders:AcquirerTimeout must be positive and shorter than Gateway:Orders:RecoverAfter.";
        }

        return FirstNotificationsProblem(options.Notifications);
    }

    private static string? FirstNotificationsProblem(NotificationOptions notifications)
    {
        var schedule = notifications.EffectiveSchedule;
        if (schedule[0] < TimeSpan.Zero || schedule.Zip(schedule.Skip(1)).Any(pair => pair.Second < pair.First))
        {
            return "Gateway:Notifications:Schedule must be non-negative offsets in ascending order.";
        }

        if (notifications.Timeout <= TimeSpan.Zero || notifications.LeaseDuration <= notifications.Timeout)
        {
            return "Gateway:Notifications:Timeout must be positive and shorter than LeaseDuration.";
        }

        if (notifications.PollInterval <= TimeSpan.Zero || notifications.BatchSize < 1 || notifications.MaxConcurrency < 1)
        {
            return "Gateway:Notifications:PollInterval, BatchSize and MaxConcurrency must be positive.";
        }

        return null;
    }
}
