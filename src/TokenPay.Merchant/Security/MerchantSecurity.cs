using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using TokenPay.Merchant.Hosting;

namespace TokenPay.Merchant.Security;

/// <summary>
/// Who may do what in the merchant service: shoppers (a demo sign-in by name, kept in a protected
/// cookie) see and remove only their own cards; operators charge cards and read wallets, through the
/// API with <c>X-Operator-Key</c> or through the operator pages after a password login. Every
/// state-changing form post carries an antiforgery token and must come from this site.
/// </summary>
internal static class MerchantSecurity
{
    public const string Shopper = "Shopper";
    public const string Operator = "Operator";
    public const string OperatorKeyHeader = "X-Operator-Key";
    public const string CsrfHeader = "X-CSRF-TOKEN";

    public static IServiceCollection AddMerchantSecurity(this IServiceCollection services)
    {
        services.AddAuthentication(Shopper)
            .AddCookie(Shopper, cookie =>
            {
                cookie.Cookie.Name = "tokenpay-shopper";
                // Lax: the browser comes back from the gateway's 3DS page or cashier by a cross-site navigation.
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.Cookie.HttpOnly = true;
                cookie.LoginPath = "/shop/signin";
                cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
                cookie.SlidingExpiration = true;
            })
            .AddCookie(Operator, cookie =>
            {
                cookie.Cookie.Name = "tokenpay-operator";
                cookie.Cookie.SameSite = SameSiteMode.Strict;
                cookie.Cookie.HttpOnly = true;
                cookie.LoginPath = "/shop/operator/login";
                cookie.AccessDeniedPath = "/shop/operator/login";
                cookie.ExpireTimeSpan = TimeSpan.FromHours(1);
                cookie.SlidingExpiration = true;
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(Shopper, policy => policy.AddAuthenticationSchemes(Shopper).RequireAuthenticatedUser())
            .AddPolicy(Operator, policy => policy.AddAuthenticationSchemes(Operator).RequireAuthenticatedUser());
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.HeaderName = CsrfHeader;
            antiforgery.Cookie.Name = "tokenpay-csrf";
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
        });
        services.AddSingleton<OperatorLogin>();
        return services;
    }

    /// <summary>The signed-in shopper's user id, or null.</summary>
    public static string? ShopperId(this HttpContext http) =>
        http.User.Identities.FirstOrDefault(i => i.AuthenticationType == Shopper && i.IsAuthenticated)?.Name;

    public static Task SignInShopperAsync(this HttpContext http, string userId) =>
        http.SignInAsync(Shopper, Principal(Shopper, userId));

    public static Task SignInOperatorAsync(this HttpContext http, string user) =>
        http.SignInAsync(Operator, Principal(Operator, user));

    /// <summary>Guards the HTTP API: the configured operator key in <c>X-Operator-Key</c>, compared in constant time.</summary>
    public static async ValueTask<object?> RequireOperatorKeyAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var key = http.RequestServices.GetRequiredService<IOptions<MerchantOptions>>().Value.Operator.ApiKey;
        if (string.IsNullOrEmpty(key))
        {
            return Results.Problem(title: "The API is disabled", detail: "Set Merchant:Operator:ApiKey to enable it.", statusCode: StatusCodes.Status401Unauthorized);
        }

        var sent = http.Request.Headers[OperatorKeyHeader].ToString();
        if (sent.Length == 0)
        {
            return Results.Problem(title: "Not authenticated", detail: $"Send the operator API key in the {OperatorKeyHeader} header.", statusCode: StatusCodes.Status401Unauthorized);
        }

        return FixedTimeEquals(sent, key)
            ? await next(context)
            : Results.Problem(title: "Not allowed", detail: $"The {OperatorKeyHeader} header does not hold the operator API key.", statusCode: StatusCodes.Status403Forbidden);
    }

    /// <summary>
    /// Guards state-changing form posts: a cross-site request (by Origin or Sec-Fetch-Site) and one without a
    /// valid antiforgery token are refused before anything changes.
    /// </summary>
    public static async Task<string?> RefuseFormAsync(HttpContext http)
    {
        var request = http.Request;
        if (request.Headers["Sec-Fetch-Site"].ToString() is "cross-site" or "same-site")
        {
            return "This form was sent from another site.";
        }

        if (request.Headers.Origin.ToString() is { Length: > 0 } origin && !string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase))
        {
            return "This form was sent from another site.";
        }

        try
        {
            return await http.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(http)
                ? null
                : "This form has expired; go back, reload the page and try again.";
        }
        catch (Exception ex) when (ex is AntiforgeryValidationException or InvalidDataException or BadHttpRequestException or IOException)
        {
            return "The form could not be read.";
        }
    }

    public static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(a)), SHA256.HashData(Encoding.UTF8.GetBytes(b)));

    private static ClaimsPrincipal Principal(string scheme, string name) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], scheme));
}

/// <summary>Checks the operator login against the configured user and password hash (ASP.NET Core Identity's PBKDF2 format).</summary>
public sealed class OperatorLogin(IOptions<MerchantOptions> options)
{
    private static readonly PasswordHasher<OperatorOptions> Hasher = new();

    /// <summary>The hash to configure as <c>Merchant:Operator:PasswordHash</c>.</summary>
    public static string Hash(string password) => Hasher.HashPassword(new OperatorOptions(), password);

    /// <summary>True when an operator password is configured.</summary>
    public bool IsConfigured => !string.IsNullOrEmpty(options.Value.Operator.PasswordHash);

    /// <summary>True only for the configured user with the right password.</summary>
    public bool Verify(string? user, string? password)
    {
        var configured = options.Value.Operator;
        if (string.IsNullOrEmpty(configured.PasswordHash) || string.IsNullOrEmpty(user) || string.IsNullOrEmpty(password))
        {
            return false;
        }

        bool passwordMatches;
        try
        {
            passwordMatches = Hasher.VerifyHashedPassword(configured, configured.PasswordHash, password) != PasswordVerificationResult.Failed;
        }
        catch (FormatException)
        {
            passwordMatches = false;
        }

        return MerchantSecurity.FixedTimeEquals(user, configured.User) & passwordMatches;
    }
}
