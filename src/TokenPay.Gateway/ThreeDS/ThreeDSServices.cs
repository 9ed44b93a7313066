using TokenPay.Acquiring;

namespace TokenPay.Gateway.ThreeDS;

/// <summary>3-D Secure: what the acquirer's challenge page calls back when the cardholder is done.</summary>
internal static class ThreeDSServices
{
    public static IServiceCollection AddThreeDS(this IServiceCollection services) =>
        services.AddSingleton<IAuthenticationCallback, AuthenticationCallback>();
}
