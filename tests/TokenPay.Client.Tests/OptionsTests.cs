using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TokenPay.Client;

namespace TokenPay.Client.Tests;

public class OptionsTests
{
    [Fact]
    public async Task AddPayerMaxClient_InvalidOptions_HostRefusesToStartNamingEachSetting()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddPayerMaxClient(o =>
        {
            o.Environment = PayerMaxEnvironment.Custom;
            o.MerchantPrivateKey = "not-a-key";
            o.Timeout = TimeSpan.Zero;
        });
        using var host = builder.Build();

        var ex = await Should.ThrowAsync<OptionsValidationException>(() => host.StartAsync());

        ex.Failures.ShouldContain("PayerMax:BaseUrl is required when Environment is Custom.");
        ex.Failures.ShouldContain("PayerMax:AppId is required.");
        ex.Failures.ShouldContain("PayerMax:MerchantNo is required.");
        ex.Failures.ShouldContain("PayerMax:PlatformPublicKey is required.");
        ex.Failures.ShouldContain("PayerMax:Timeout must be positive.");
        ex.Failures.ShouldContain(f => f.StartsWith("PayerMax:MerchantPrivateKey:", StringComparison.Ordinal));
        string.Join(' ', ex.Failures).ShouldNotContain("not-a-key");
    }

    [Fact]
    public void AddPayerMaxClient_FromConfiguration_ResolvesAndReturnsHttpClientBuilder()
    {
        var configuration = Microsoft.Extensions.Configuration.MemoryConfigurationBuilderExtensions.AddInMemoryCollection(new Microsoft.Extensions.Configuration.ConfigurationBuilder(), new Dictionary<string, string?>
        {
            ["PayerMax:Environment"] = "Production",
            ["PayerMax:AppId"] = TestKeys.AppId,
            ["PayerMax:MerchantNo"] = TestKeys.MerchantNo,
            ["PayerMax:MerchantPrivateKey"] = TestKeys.MerchantPrivate,
            ["PayerMax:PlatformPublicKey"] = TestKeys.PlatformPublic,
        }).Build();
        var services = new ServiceCollection();

        var http = services.AddPayerMaxClient(configuration.GetSection("PayerMax"));

        http.ShouldBeAssignableTo<IHttpClientBuilder>();
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<PayerMaxClient>().ShouldNotBeNull();
        provider.GetRequiredService<IOptions<PayerMaxClientOptions>>().Value.EffectiveBaseUrl.ShouldBe(new Uri("https://pay-gate.payermax.com/"));
    }
}
