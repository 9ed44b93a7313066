using System.Diagnostics.Metrics;

namespace TokenPay.Gateway.Core;

/// <summary>
/// The gateway's own instruments, meter <c>TokenPay.Gateway</c> (exported by OpenTelemetry: <c>Gateway:Metrics</c>).
/// Tags are API names, result codes and outcomes only: never an order number, a card or a key.
/// Request durations per route come from ASP.NET Core's <c>http.server.request.duration</c>.
/// </summary>
internal sealed class GatewayMetrics
{
    public const string MeterName = "TokenPay.Gateway";

    private readonly Counter<long> _answers;
    private readonly Counter<long> _declines;
    private readonly Histogram<double> _acquirerDuration;
    private readonly Counter<long> _notificationAttempts;
    private readonly Histogram<double> _notificationDuration;

    private readonly Meter _meter;

    /// <summary>This gateway's meter (tests listen to it alone: other gateways in a process share its name).</summary>
    internal Meter Meter => _meter;

    public GatewayMetrics(IMeterFactory meters)
    {
        var meter = _meter = meters.Create(MeterName);
        _answers = meter.CreateCounter<long>("tokenpay.gateway.answers", description: "API answers by API and result code (SIGN_VERIFY_FAILED counts signature failures).");
        _declines = meter.CreateCounter<long>("tokenpay.gateway.declines", description: "Declined payments by decline code and the network's advice category.");
        _acquirerDuration = meter.CreateHistogram<double>("tokenpay.gateway.acquirer.duration", unit: "ms", description: "How long the acquirer took to decide an authorization.");
        _notificationAttempts = meter.CreateCounter<long>("tokenpay.gateway.notification.attempts", description: "Notification delivery attempts by outcome.");
        _notificationDuration = meter.CreateHistogram<double>("tokenpay.gateway.notification.duration", unit: "ms", description: "How long a notification attempt took.");
    }

    /// <summary>The outbox gauges: notifications due now and how long the oldest has waited; <paramref name="read"/> is asked at each collection.</summary>
    public void ObserveOutbox(Func<(long Due, double OldestDueAgeSeconds)> read)
    {
        _meter.CreateObservableGauge("tokenpay.gateway.outbox.backlog", () => read().Due, description: "Notifications due now and not yet delivered.");
        _meter.CreateObservableGauge("tokenpay.gateway.outbox.oldest_due_age", () => read().OldestDueAgeSeconds, unit: "s", description: "How long the oldest due notification has been waiting.");
    }

    public void Answered(string api, string code) =>
        _answers.Add(1, new KeyValuePair<string, object?>("api", api), new KeyValuePair<string, object?>("code", code));

    public void Declined(string code, int? adviceCategory) =>
        _declines.Add(1, new KeyValuePair<string, object?>("code", code), new KeyValuePair<string, object?>("advice_category", adviceCategory?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"));

    public void AcquirerDecided(string acquirer, string decision, TimeSpan took) =>
        _acquirerDuration.Record(took.TotalMilliseconds, new KeyValuePair<string, object?>("acquirer", acquirer), new KeyValuePair<string, object?>("decision", decision));

    public void NotificationAttempted(bool acknowledged, TimeSpan took)
    {
        var outcome = new KeyValuePair<string, object?>("outcome", acknowledged ? "acknowledged" : "failed");
        _notificationAttempts.Add(1, outcome);
        _notificationDuration.Record(took.TotalMilliseconds, outcome);
    }
}
