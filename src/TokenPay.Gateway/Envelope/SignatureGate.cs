using System.Buffers;
using Microsoft.Extensions.Options;
using TokenPay.Gateway.Core;
using TokenPay.Protocol;
using TokenPay.Protocol.Signing;

namespace TokenPay.Gateway.Envelope;

/// <summary>A request that passed the gate: a known app, a valid signature over the raw body, a fresh requestTime.</summary>
internal sealed record VerifiedRequest(MerchantApp App, ReadOnlyMemory<byte> Data, HttpRequest Http);

/// <summary>The gate's verdict: a verified request, or the status and answer that refuse it.</summary>
internal readonly record struct GateOutcome(VerifiedRequest? Request, int StatusCode, ApiReply Rejection)
{
    public static GateOutcome Refuse(string code, string message, int statusCode = StatusCodes.Status200OK) =>
        new(null, statusCode, ApiReply.Error(code, message));
}

/// <summary>
/// The one signature gate every API request passes (docs/protocol.md 1): the raw body is read once within a
/// size bound, the merchant's key for (appId, keyVersion) verifies <c>sign</c> over those exact bytes, then
/// merchant and requestTime are checked. Only then may a feature parse <c>data</c>.
/// </summary>
internal sealed class SignatureGate(MerchantRegistry merchants, TimeProvider clock, IRequestTimeWindow timeWindow, IOptions<GatewayOptions> options)
{
    private const int MaxVersionLength = 8;
    private readonly int _maxBodyBytes = options.Value.MaxRequestBodyBytes;

    /// <summary>The largest request body accepted (<c>Gateway:MaxRequestBodyBytes</c>), named in the 413 answer.</summary>
    public int MaxBodyBytes => _maxBodyBytes;

    /// <summary>Reads the body into a pooled buffer the caller returns; null when it exceeds the bound.</summary>
    public async Task<(byte[]? Buffer, int Length)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > _maxBodyBytes)
        {
            return (null, 0);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(request.ContentLength is > 0 and var n ? (int)n + 1 : 4096);
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                buffer.AsSpan(0, length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = larger;
            }

            var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                return (buffer, length);
            }

            length += read;
            if (length > _maxBodyBytes)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                return (null, 0);
            }
        }
    }

    public GateOutcome Check(HttpRequest http, ReadOnlyMemory<byte> body, string? signature)
    {
        if (!EnvelopeReader.TryRead(body.Span, out var header, out var malformed))
        {
            // A form or other non-JSON body is the likelier mistake than a typo, so say what was sent.
            var sentAs = http.HasJsonContentType() || http.ContentType is null ? "" : $" The API takes application/json; this body was sent as {http.ContentType.Split(';')[0]}.";
            return GateOutcome.Refuse(ResultCodes.ParamsInvalid, $"The request body is not a well-formed JSON object: {malformed}.{sentAs}", StatusCodes.Status400BadRequest);
        }

        if (header.BrokenField is { } broken)
        {
            return GateOutcome.Refuse(ResultCodes.ParamsInvalid, $"{broken} is not valid text: invalid UTF-8 or an unpaired surrogate escape.");
        }

        if (string.IsNullOrEmpty(header.AppId))
        {
            return GateOutcome.Refuse(ResultCodes.ParamsInvalid, "appId is required.");
        }

        if (!merchants.HasApp(header.AppId))
        {
            return GateOutcome.Refuse(ResultCodes.MerchantAppInvalid, "appId is not a registered merchant application.");
        }

        if (string.IsNullOrEmpty(header.KeyVersion))
        {
            return GateOutcome.Refuse(ResultCodes.ParamsInvalid, "keyVersion is required.");
        }

        if (merchants.Find(header.AppId, header.KeyVersion) is not { } app)
        {
            return GateOutcome.Refuse(ResultCodes.SignVerifyFailed, $"No public key is registered for this appId with keyVersion {Truncate(header.KeyVersion)}.");
        }

        if (string.IsNullOrWhiteSpace(signature))
        {
            return GateOutcome.Refuse(ResultCodes.SignVerifyFailed, "The sign header is missing.");
        }

        if (!PayerMaxSignature.Verify(app.PublicKey, body.Span, signature))
        {
            return GateOutcome.Refuse(ResultCodes.SignVerifyFailed, "sign does not verify over the request body with the merchant key for this appId and keyVersion.");
        }

        if (string.IsNullOrEmpty(header.MerchantNo))
        {
            return GateOutcome.Refuse(ResultCodes.MerchantInvalid, "merchantNo is required.");
        }

        if (!string.Equals(header.MerchantNo, app.MerchantNo, StringComparison.Ordinal))
        {
            return GateOutcome.Refuse(ResultCodes.MerchantInvalid, "merchantNo does not own this appId.");
        }

        if (string.IsNullOrEmpty(header.Version) || header.Version.Length > MaxVersionLength)
        {
            return GateOutcome.Refuse(ResultCodes.ParamsInvalid, "version is required (at most 8 characters).");
        }

        if (!PayerMaxTime.TryParse(header.RequestTime, out var requestTime))
        {
            return GateOutcome.Refuse(ResultCodes.ParamsInvalid, "requestTime must be an RFC 3339 time with an offset, e.g. 2026-11-22T07:56:20.657+00:00.");
        }

        var now = clock.GetUtcNow();
        if (!timeWindow.IsOnTime(requestTime, now))
        {
            return GateOutcome.Refuse(ResultCodes.RequestTimeOverTime, $"requestTime is more than {timeWindow.Width:c} away from the gateway clock ({PayerMaxTime.Format(now)}).");
        }

        if (!header.DataIsObject)
        {
            return GateOutcome.Refuse(ResultCodes.ParamsInvalid, "data is required and must be a JSON object.");
        }

        return new GateOutcome(new VerifiedRequest(app, body[header.Data], http), StatusCodes.Status200OK, default);
    }

    private static string Truncate(string value) => value.Length <= MaxVersionLength ? value : value[..MaxVersionLength] + "...";
}
