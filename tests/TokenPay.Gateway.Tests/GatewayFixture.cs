namespace TokenPay.Gateway.Tests;

/// <summary>One gateway per test class; tests keep apart by unique order numbers and user ids.</summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public GatewayHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await GatewayHost.StartAsync();

    public async Task DisposeAsync() => await Host.DisposeAsync();

    public static string NewId(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..(prefix.Length + 13)];
}
