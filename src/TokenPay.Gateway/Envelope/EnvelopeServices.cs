namespace TokenPay.Gateway.Envelope;

/// <summary>The API road: signature gate, signing exit and the platform's key they sign with.</summary>
internal static class EnvelopeServices
{
    public static IServiceCollection AddEnvelope(this IServiceCollection services, PlatformSigner signer)
    {
        services.AddSingleton(signer);
        services.AddSingleton<IRequestTimeWindow, ConfiguredTimeWindow>();
        services.AddSingleton<SignatureGate>();
        services.AddSingleton<GatewayResponder>();
        services.AddSingleton<GatewayApi>();
        return services;
    }
}
