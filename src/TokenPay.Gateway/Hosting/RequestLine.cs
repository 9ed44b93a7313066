using System.Diagnostics;
using System.Globalization;
using TokenPay.Gateway.Core;
using TokenPay.Gateway.OperatorConsole;

namespace TokenPay.Gateway.Hosting;

/// <summary>
/// One line per request: method, path, HTTP status, the answer's PayerMax code and milliseconds, as a log
/// entry (category <c>TokenPay.Gateway.Requests</c>, Information; off unless that category is enabled) and as a
/// <c>request</c> event while someone follows the event log (<c>tokenpay logs tail</c>, the console), except the
/// console's own requests. Costs
/// nothing when neither listens. Query strings are never written (they can hold Drop-in keys and order numbers).
/// </summary>
internal sealed class RequestLine(RequestDelegate next, GatewayEvents events, ILoggerFactory loggers)
{
    private readonly ILogger _logger = loggers.CreateLogger("TokenPay.Gateway.Requests");

    public async Task InvokeAsync(HttpContext http)
    {
        var logged = _logger.IsEnabled(LogLevel.Information);
        if (!logged && !events.Listened)
        {
            await next(http);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var answered = new AnsweredCode();
        http.Features.Set(answered);
        try
        {
            await next(http);
        }
        finally
        {
            var path = PublicLinks.RedactSecrets(http.Request.Path.Value);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var status = http.RequestAborted.IsCancellationRequested && !http.Response.HasStarted ? 499 : http.Response.StatusCode;
            if (logged)
            {
                _logger.RequestAnswered(http.Request.Method, path, status, answered.Code ?? "-", elapsed);
            }

            if (events.Listened && !ConsoleTraffic.IsOwn(path))
            {
                events.Publish("request", $"{http.Request.Method} {path} {status} {answered.Code ?? "-"} {elapsed:0} ms", new Dictionary<string, string?>
                {
                    ["method"] = http.Request.Method,
                    ["path"] = path,
                    ["status"] = status.ToString(CultureInfo.InvariantCulture),
                    ["code"] = answered.Code,
                    ["ms"] = elapsed.ToString("0.0", CultureInfo.InvariantCulture),
                });
            }
        }
    }
}
