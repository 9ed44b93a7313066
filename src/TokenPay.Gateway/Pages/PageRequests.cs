using Microsoft.AspNetCore.Http.Features;

namespace TokenPay.Gateway.Pages;

/// <summary>
/// Bodies the gateway's pages accept, read only after the page's id or session was found and only within a
/// small bound: a form (URL-encoded, as the pages post it) or a small JSON document. Anything else, or a
/// body that is too large, malformed, too slow or cut off, is a client fault: null, never an exception.
/// </summary>
internal static class PageRequests
{
    public const int MaxBodyBytes = 8 * 1024;

    private static readonly FormOptions SmallForm = new()
    {
        ValueCountLimit = 32,
        KeyLengthLimit = 64,
        ValueLengthLimit = 1024,
        BufferBody = false,
    };

    public static async Task<IFormCollection?> ReadFormAsync(HttpContext http)
    {
        var request = http.Request;
        if (!string.Equals(request.ContentType?.Split(';')[0].Trim(), "application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) || !LimitBody(http))
        {
            return null;
        }

        try
        {
            return await new FormFeature(request, SmallForm).ReadFormAsync(http.RequestAborted);
        }
        catch (Exception ex) when (IsClientFault(ex))
        {
            return null;
        }
    }

    /// <summary>The body as bytes, or null when it is larger than <see cref="MaxBodyBytes"/> or did not arrive whole.</summary>
    public static async Task<byte[]?> ReadSmallBodyAsync(HttpContext http)
    {
        if (!LimitBody(http))
        {
            return null;
        }

        try
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
            return buffer.Length <= MaxBodyBytes ? buffer.ToArray() : null;
        }
        catch (Exception ex) when (IsClientFault(ex))
        {
            return null;
        }
    }

    /// <summary>A body that was cut off, arrived too slowly or broke the server's limits: the client's fault, not ours.</summary>
    public static bool IsClientFault(Exception ex) =>
        ex is BadHttpRequestException or InvalidDataException or IOException;

    // Refuses a declared length over the bound before reading, and makes Kestrel stop an undeclared one at the bound.
    private static bool LimitBody(HttpContext http)
    {
        if (http.Request.ContentLength > MaxBodyBytes)
        {
            return false;
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }

        return true;
    }
}
