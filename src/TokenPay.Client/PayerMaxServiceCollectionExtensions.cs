using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace TokenPay.Client;

/// <summary>Registration of <see cref="PayerMaxClient"/> with <c>IHttpClientFactory</c>.</summary>
public static class PayerMaxServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="PayerMaxClient"/> as a typed HTTP client, the notification verifier, and option
    /// validation at start. Returns the <see cref="IHttpClientBuilder"/> so handlers can be added.
    /// </summary>
    public static IHttpClientBuilder AddPayerMaxClient(this IServiceCollection services, Action<PayerMaxClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<PayerMaxClientOptions>().Configure(configure).ValidateOnStart();
        return AddCore(services);
    }

    /// <summary>Same, binding the options from a configuration section (usually <c>PayerMax</c>).</summary>
    public static IHttpClientBuilder AddPayerMaxClient(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<PayerMaxClientOptions>().Bind(section).ValidateOnStart();
        return AddCore(services);
    }

    private static IHttpClientBuilder AddCore(IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PayerMaxClientOptions>, PayerMaxClientOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PayerMaxCredentials>();
        services.TryAddSingleton<PayerMaxNotificationVerifier>();
        // The client enforces its own per-attempt timeout on the injected clock.
        return services.AddHttpClient<PayerMaxClient>(http => http.Timeout = Timeout.InfiniteTimeSpan);
    }
}
