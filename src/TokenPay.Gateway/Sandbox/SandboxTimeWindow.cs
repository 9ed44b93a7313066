using TokenPay.Gateway.Envelope;
using TokenPay.Hosting;

namespace TokenPay.Gateway.Sandbox;

/// <summary>
/// The request time window on a moved sandbox clock: the sandbox's merchant signs with the sandbox's time, other
/// clients with the wall clock; a request on time by either is on time.
/// </summary>
internal sealed class SandboxTimeWindow(ConfiguredTimeWindow standard, SandboxClock clock) : IRequestTimeWindow
{
    public TimeSpan Width => standard.Width;

    public bool IsOnTime(DateTimeOffset requestTime, DateTimeOffset now) =>
        standard.IsOnTime(requestTime, now) || standard.IsOnTime(requestTime, clock.Real.GetUtcNow());
}
