using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Extensions.Options;
using TokenPay.Merchant.Hosting;
using TokenPay.Merchant.Security;

namespace TokenPay.Merchant.Shop;

/// <summary>What every shop and operator page shares: the frame, encoding, the antiforgery field and the form guard.</summary>
internal static class ShopLayout
{
    private const string Style = """
        body{font-family:system-ui,sans-serif;margin:0;background:#f6f4ef;color:#222}main{max-width:44rem;margin:1.5rem auto;background:#fff;padding:1.5rem;border-radius:12px}
        label{display:block;margin-top:.6rem}input[type=text],input[type=password],input:not([type]),select,textarea{width:100%;box-sizing:border-box;padding:.5rem;border:1px solid #bbb;border-radius:6px}
        button{margin-top:1rem;padding:.7rem 1.2rem;border:0;border-radius:8px;background:#2d6a4f;color:#fff;font-size:1rem;cursor:pointer;white-space:nowrap}
        table{width:100%;border-collapse:collapse}td,th{padding:.4rem;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
        .word{white-space:nowrap}.id{overflow-wrap:anywhere}.wide{overflow-x:auto}
        .hint{color:#b00020;font-size:.85rem;display:block;overflow-wrap:anywhere}.notice{background:#eef6f0;border-radius:8px;padding:.6rem}.muted{color:#666;font-size:.9rem}
        nav{display:flex;flex-wrap:wrap;gap:.4rem 1rem;align-items:baseline}nav a,nav span{white-space:nowrap}
        nav form{display:inline}nav button{margin:0;padding:.2rem .6rem;font-size:.85rem;background:#666}
        #wallet td.remove button{margin:0;padding:.4rem .9rem}
        fieldset{border:1px solid #ddd;border-radius:8px;margin-top:.8rem}fieldset label{margin-top:.3rem}
        .visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
        @media (max-width:40rem){
          main{margin:0;border-radius:0;padding:1rem}
          #wallet,#wallet tbody,#wallet tr,#wallet td{display:block}
          #wallet thead{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}
          #wallet tr{display:flex;flex-wrap:wrap;align-items:center;gap:.3rem .8rem;padding:.6rem 0;border-bottom:1px solid #eee}
          #wallet td{padding:0;border:0}#wallet td.mit{flex-basis:100%}#wallet td.mit:empty{display:none}
          #wallet td.expiry::before{content:"expires "}
          table.list,.list tbody,.list tr,.list td{display:block}
          .list thead{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}
          .list tr{display:flex;flex-wrap:wrap;gap:.2rem .8rem;padding:.5rem 0;border-bottom:1px solid #eee}
          .list td{padding:0;border:0}.list td:first-child{flex-basis:100%}.list td:empty{display:none}
        }
        """;

    public static string E(string? text) => HtmlEncoder.Default.Encode(text ?? "");

    /// <summary>The hidden antiforgery field of a state-changing form.</summary>
    public static string Csrf(HttpContext http)
    {
        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        return $"""<input type="hidden" name="{E(tokens.FormFieldName)}" value="{E(tokens.RequestToken)}">""";
    }

    /// <summary>The antiforgery token for a script's request header.</summary>
    public static string CsrfToken(HttpContext http) =>
        http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http).RequestToken ?? "";

    /// <summary>Refuses a cross-site or token-less post before the endpoint runs (a 403 page, nothing changes).</summary>
    public static async ValueTask<object?> GuardFormAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        await MerchantSecurity.RefuseFormAsync(context.HttpContext) is { } refusal
            ? Page(context.HttpContext, "Not accepted", $"<h1>Not accepted</h1><p id=\"refused\">{E(refusal)}</p>", StatusCodes.Status403Forbidden)
            : await next(context);

    public static string BaseUrl(HttpContext http) =>
        http.RequestServices.GetRequiredService<IOptions<MerchantOptions>>().Value.PublicBaseUrl?.TrimEnd('/') ?? $"{http.Request.Scheme}://{http.Request.Host}";

    public static IResult Page(HttpContext http, string title, string body, int status = StatusCodes.Status200OK)
    {
        var shopper = http.ShopperId();
        var account = shopper is null
            ? """<a href="/shop/signin">Sign in</a>"""
            : $"""<span class="muted" id="signed-in">{E(shopper)}</span> <form method="post" action="/shop/signout">{Csrf(http)}<button type="submit" id="signout">Sign out</button></form>""";
        var nav = $"""<nav><a href="/">Shop</a><a href="/shop/wallet">Saved cards</a><a href="/shop/operator">Operator</a>{account}</nav>""";
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.XFrameOptions = "DENY";
        return Results.Content($"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><link rel=\"icon\" href=\"/favicon.ico\" type=\"image/svg+xml\"><title>{E(title)}</title><style>{Style}</style></head><body><main>{nav}{body}</main></body></html>", "text/html; charset=utf-8", statusCode: status);
    }
}
