using Microsoft.Extensions.DependencyInjection;

namespace TokenPay.Gateway.Tests;

/// <summary>With <c>Gateway:Metrics:Prometheus</c>, traffic shows at /metrics: answers by API and code, declines, acquirer and notification timings.</summary>
public sealed class MetricsTests : IAsyncLifetime
{
    private GatewayHost _host = null!;
    private NotificationReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _receiver = await NotificationReceiver.StartAsync();
        _host = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Metrics:Prometheus"] = "true",
            ["Gateway:Merchants:0:NotifyUrl"] = _receiver.Url,
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task AfterTraffic_TheCountersAndTimingsAreThere_WithoutOrderNumbersOrCards()
    {
        (await _host.Merchant.PostAsync("orderAndPay", OrderRequests.Bind("metrics_bind", "ann", "4000000000000259"))).DataString("status").ShouldBe("SUCCESS");
        var token = (await _host.Merchant.QueryAsync("metrics_bind")).Data.GetProperty("paymentDetails")[0].GetProperty("paymentTokenID").GetString()!;
        (await _host.Merchant.PostAsync("orderAndPay", OrderRequests.Mit("metrics_mit", "ann", token))).DataString("status").ShouldBe("FAILED");
        var body = _host.Merchant.Envelope(new System.Text.Json.Nodes.JsonObject { ["outTradeNo"] = "metrics_bind" });
        (await _host.Merchant.PostRawAsync("orderQuery", body, "forged-signature")).Code.ShouldBe("SIGN_VERIFY_FAILED");
        await _receiver.WaitForAsync(2);

        var metrics = await Eventually.UntilAsync(() => _host.Http.GetStringAsync("/metrics"), text => text.Contains("tokenpay_gateway_notification_attempts_total", StringComparison.Ordinal), "the notification metrics");

        // At least: other gateways in this test process report under the same meter name.
        Value(metrics, """tokenpay_gateway_answers_total{otel_scope_name="TokenPay.Gateway",api="orderAndPay",code="APPLY_SUCCESS"}""").ShouldBeGreaterThanOrEqualTo(2);
        Value(metrics, """tokenpay_gateway_answers_total{otel_scope_name="TokenPay.Gateway",api="orderQuery",code="SIGN_VERIFY_FAILED"}""").ShouldBeGreaterThanOrEqualTo(1);
        Value(metrics, """tokenpay_gateway_declines_total{otel_scope_name="TokenPay.Gateway",advice_category="2",code="ISSUER_PAYMENT_REJECTED"}""").ShouldBeGreaterThanOrEqualTo(1);
        Value(metrics, """tokenpay_gateway_acquirer_duration_milliseconds_count{otel_scope_name="TokenPay.Gateway",acquirer="Simulator",decision="Approved"}""").ShouldBeGreaterThanOrEqualTo(1);
        Value(metrics, """tokenpay_gateway_notification_attempts_total{otel_scope_name="TokenPay.Gateway",outcome="acknowledged"}""").ShouldBeGreaterThanOrEqualTo(1);
        metrics.ShouldContain("http_server_request_duration_seconds_count");
        metrics.ShouldNotContain("metrics_bind");
        metrics.ShouldNotContain("4000000000000259");
    }

    [Fact]
    public async Task UndeliveredNotifications_ShowInTheOutboxGauges()
    {
        // An API-only node: notifications are queued, nobody delivers them.
        await using var host = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Metrics:Prometheus"] = "true",
            ["Gateway:Notifications:Enabled"] = "false",
            ["Gateway:Merchants:0:NotifyUrl"] = _receiver.Url,
        });
        (await host.Merchant.PostAsync("orderAndPay", OrderRequests.Card("metrics_backlog", "bea"))).DataString("status").ShouldBe("SUCCESS");
        host.Clock.Advance(TimeSpan.FromSeconds(90));

        // This gateway's own gauges: the exporter merges same-named series of every gateway in the test process.
        var meter = host.App.Services.GetRequiredService<TokenPay.Gateway.Core.GatewayMetrics>().Meter;
        var values = new Dictionary<string, double>();
        using (var listener = new System.Diagnostics.Metrics.MeterListener())
        {
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter == meter && instrument.Name.StartsWith("tokenpay.gateway.outbox.", StringComparison.Ordinal))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => values[instrument.Name] = value);
            listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => values[instrument.Name] = value);
            listener.Start();
            listener.RecordObservableInstruments();
        }

        values["tokenpay.gateway.outbox.backlog"].ShouldBe(1);
        values["tokenpay.gateway.outbox.oldest_due_age"].ShouldBe(90, tolerance: 1);
        (await host.Http.GetStringAsync("/metrics")).ShouldContain("tokenpay_gateway_outbox_oldest_due_age_seconds");
    }

    /// <summary>The value of one series in the Prometheus text (0 when absent).</summary>
    private static double Value(string metrics, string series) =>
        metrics.Split('\n').Where(line => line.StartsWith(series + " ", StringComparison.Ordinal))
            .Select(line => double.Parse(line[(series.Length + 1)..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture))
            .DefaultIfEmpty(0).Sum();
}
