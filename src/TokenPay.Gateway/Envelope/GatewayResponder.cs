using System.Text.Json;
using TokenPay.Gateway.Core;
using TokenPay.Protocol.Json;
using TokenPay.Protocol.Models;
using TokenPay.Protocol.Signing;

namespace TokenPay.Gateway.Envelope;

/// <summary>The one signing exit: serializes an answer once, signs those bytes, sends those bytes.</summary>
internal sealed class GatewayResponder(PlatformSigner signer, GatewayMetrics metrics)
{
    public async Task WriteAsync(HttpContext http, int statusCode, ApiReply reply)
    {
        metrics.Answered(GatewayApi.OperationName(http.Request.Path), reply.Code);
        if (http.Features.Get<AnsweredCode>() is { } answered)
        {
            answered.Code = reply.Code;
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(
            new ApiResponse<object> { Code = reply.Code, Msg = reply.Msg, Data = reply.Data },
            PayerMaxJson.Options);

        var response = http.Response;
        response.StatusCode = statusCode;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = body.Length;
        response.Headers[PayerMaxSignature.HeaderName] = signer.Sign(body);
        response.Headers.CacheControl = "no-store";
        await response.Body.WriteAsync(body, http.RequestAborted);
    }
}
