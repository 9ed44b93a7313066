using Microsoft.Extensions.Options;
using TokenPay.Acquiring;
using TokenPay.Gateway.Core;

namespace TokenPay.Gateway.Acquiring;

/// <summary>
/// Picks the acquirer of a merchant (<c>Gateway:Acquirers</c>). Acquirers are keyed services: a new connector
/// is a class registered under its name, and configuration routes merchants to it.
/// </summary>
internal sealed class AcquirerRouter(IServiceProvider services, IOptions<GatewayOptions> options)
{
    /// <summary>The acquirer new payments of this merchant go to.</summary>
    public string NameFor(string merchantNo) =>
        options.Value.Acquirers.Merchants.TryGetValue(merchantNo, out var name) ? name : options.Value.Acquirers.Default;

    /// <summary>The acquirer registered under <paramref name="name"/> (an order keeps the name it was sent to, so recovery asks the same one).</summary>
    public IAcquirer Get(string name) => services.GetRequiredKeyedService<IAcquirer>(name);

    /// <summary>The acquirer a stored order (or its refund) went to; orders older than routing go to the merchant's current one.</summary>
    public IAcquirer Of(string? recordedName, string merchantNo) => Get(NameOf(recordedName, merchantNo));

    /// <summary>The name of that acquirer.</summary>
    public string NameOf(string? recordedName, string merchantNo) => recordedName ?? NameFor(merchantNo);

    /// <summary>Fails at start, naming the key, when configuration routes to an acquirer nobody registered.</summary>
    public static void Validate(IServiceProvider services, AcquirerOptions acquirers)
    {
        foreach (var (key, name) in acquirers.Merchants.Select(m => ($"Gateway:Acquirers:Merchants:{m.Key}", m.Value)).Prepend(("Gateway:Acquirers:Default", acquirers.Default)))
        {
            if (services.GetKeyedService<IAcquirer>(name) is null)
            {
                throw new OptionsValidationException(GatewayOptions.Section, typeof(GatewayOptions), [$"{key} names the acquirer '{name}', which is not registered (the built-in one is '{TokenPay.Acquiring.Simulator.SimulatorRegistration.Name}')."]);
            }
        }
    }
}
