using System.Net;
using System.Text.RegularExpressions;

namespace TokenPay.Testing;

/// <summary>
/// A browser-like HTTP session against a server-rendered site: keeps cookies, does not follow redirects,
/// and reads the antiforgery field of the last page so forms can be posted as the page would post them.
/// </summary>
public sealed partial class PageSession : IDisposable
{
    private readonly HttpClient _http;

    public PageSession(string baseUrl)
    {
        Cookies = new CookieContainer();
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = Cookies }) { BaseAddress = new Uri(baseUrl) };
    }

    public CookieContainer Cookies { get; }

    /// <summary>The antiforgery token of the last page fetched, if it had a form.</summary>
    public string? FormToken { get; private set; }

    public async Task<(HttpStatusCode Status, string Body, string? Location)> GetAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        if (AntiforgeryField().Match(body) is { Success: true } match)
        {
            FormToken = WebUtility.HtmlDecode(match.Groups[1].Value);
        }

        return (response.StatusCode, body, response.Headers.Location?.ToString());
    }

    /// <param name="withToken">False posts the form without the antiforgery field (as a forged cross-site form would).</param>
    /// <param name="origin">The Origin header a browser would send; null sends none.</param>
    public async Task<(HttpStatusCode Status, string Body, string? Location)> PostFormAsync(string path, IEnumerable<KeyValuePair<string, string>> fields, bool withToken = true, string? origin = null)
    {
        var all = fields.ToList();
        if (withToken && FormToken is not null)
        {
            all.Add(new("__RequestVerificationToken", FormToken));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(all) };
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        using var response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.Location?.ToString());
    }

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
