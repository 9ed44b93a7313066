using Microsoft.Extensions.Options;
using TokenPay.Gateway.Core;

namespace TokenPay.Gateway.Envelope;

/// <summary>Whether a request's <c>requestTime</c> is close enough to the gateway's now for the signature gate to take it.</summary>
internal interface IRequestTimeWindow
{
    /// <summary>How far a request's time may be from now (named in the refusal).</summary>
    TimeSpan Width { get; }

    bool IsOnTime(DateTimeOffset requestTime, DateTimeOffset now);
}

/// <summary>The production rule: at most <c>Gateway:RequestTimeWindow</c> either side of now.</summary>
internal sealed class ConfiguredTimeWindow(IOptions<GatewayOptions> options) : IRequestTimeWindow
{
    public TimeSpan Width { get; } = options.Value.RequestTimeWindow;

    public bool IsOnTime(DateTimeOffset requestTime, DateTimeOffset now) => (requestTime - now).Duration() <= Width;
}
