using System.Buffers;
using System.Collections.Frozen;
using Microsoft.AspNetCore.Http.Features;
using TokenPay.Gateway.Core;
using TokenPay.Protocol;
using TokenPay.Protocol.Signing;

namespace TokenPay.Gateway.Envelope;

/// <summary>One API operation: takes a verified request, answers with a reply.</summary>
internal delegate Task<ApiReply> ApiOperation(VerifiedRequest request, CancellationToken cancellationToken);

/// <summary>
/// The road every API request takes: signature gate, one feature operation, signing exit. The gateway is the
/// outermost endpoint filter of the operations: filters inside it (the sandbox's faults) and the operation see
/// a verified request. Failures that are bugs or outages answer a signed SYSTEM_ERROR; bad input never reaches that path.
/// </summary>
internal sealed class GatewayApi(SignatureGate gate, GatewayResponder responder, ILogger<GatewayApi> logger) : IEndpointFilter
{
    public const string BasePath = "/aggregate-pay/api/gateway";

    /// <summary>Every PayerMax operation the gateway serves, in the order docs/protocol.md lists them.</summary>
    public static readonly IReadOnlyList<string> OperationNames =
        ["orderAndPay", "orderQuery", "inquirePaymentToken", "removePaymentToken", "applyDropinSession", "refund", "refundQuery", "applyPaymentToken", "InquireApplyRequest"];

    private static readonly FrozenSet<string> Operations = OperationNames.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The operation a path names, or "other" (an unrouted path), so metrics and spans cannot grow their names with paths.</summary>
    public static string OperationName(PathString path) =>
        path.StartsWithSegments(BasePath, out var rest) && rest.Value is { Length: > 1 } name && Operations.Contains(name[1..]) ? name[1..] : "other";

    /// <summary>
    /// The endpoint of an operation, mapped behind this gate: it answers the verified request. A Delegate (not a
    /// RequestDelegate) so the endpoint has a method the OpenAPI document can describe.
    /// </summary>
    /// <remarks>
    /// Past the gate the client's connection decides nothing: a hang-up must not leave an order half placed
    /// (stored but never authorized). The gateway's own timeouts (the acquirer's among them) bound the work.
    /// </remarks>
    public static Delegate Operation(ApiOperation operation) =>
        (HttpContext http) => operation(VerifiedRequestOf(http), CancellationToken.None);

    /// <summary>The request the gate verified, for the operation and the filters inside the gate.</summary>
    public static VerifiedRequest VerifiedRequestOf(HttpContext http) => http.Features.GetRequiredFeature<VerifiedRequest>();

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var cancellationToken = http.RequestAborted;
        byte[]? buffer = null;
        try
        {
            try
            {
                (buffer, var length) = await gate.ReadBodyAsync(http.Request, cancellationToken);
                if (buffer is not null)
                {
                    return await AnswerAsync(context, next, buffer.AsMemory(0, length));
                }
            }
            catch (BadHttpRequestException ex)
            {
                // Too large, too slow or malformed on the wire: the client's fault, logged without a trace.
                logger.ApiClientFault(http.Request.Path, ex.StatusCode, ex.Message);
                if (ex.StatusCode != StatusCodes.Status413PayloadTooLarge)
                {
                    await responder.WriteAsync(http, ex.StatusCode, ApiReply.Invalid("The request body could not be read."));
                    return Results.Empty;
                }
            }

            await responder.WriteAsync(http, StatusCodes.Status413PayloadTooLarge, ApiReply.Invalid($"The request body is larger than the gateway accepts ({gate.MaxBodyBytes} bytes)."));
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is OperationCanceledException or IOException)
        {
            // The client went away; nothing to answer.
            logger.ApiClientFault(http.Request.Path, StatusCodes.Status499ClientClosedRequest, "The client closed the connection.");
        }
        catch (Exception ex) when (!http.Response.HasStarted)
        {
            // The exception type and stack only: messages of lower layers are not trusted to be free of request data.
            logger.ApiOperationFailed(http.Request.Path, ex.GetType().FullName, ex.StackTrace);
            await responder.WriteAsync(http, StatusCodes.Status200OK, ApiReply.Error(ResultCodes.SystemError, "The gateway could not complete the request; query the order before retrying."));
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        return Results.Empty;
    }

    /// <summary>An API path the router matched to no operation (an unknown API, or not POST): still a signed JSON answer.</summary>
    public Task RefuseUnroutedAsync(HttpContext http)
    {
        var name = OperationName(http.Request.Path);
        var known = name != "other";
        return responder.WriteAsync(
            http,
            known ? StatusCodes.Status405MethodNotAllowed : StatusCodes.Status404NotFound,
            ApiReply.Invalid(known ? $"{name} takes POST with a signed JSON body." : "No such API; see docs/protocol.md for the APIs this gateway offers."));
    }

    private async Task<object?> AnswerAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next, ReadOnlyMemory<byte> body)
    {
        var http = context.HttpContext;
        var outcome = gate.Check(http.Request, body, http.Request.Headers[PayerMaxSignature.HeaderName]);
        if (outcome.Request is not { } request)
        {
            logger.ApiRequestRefused(http.Request.Path, outcome.Rejection.Code, outcome.Rejection.Msg, "(not verified)");
            await responder.WriteAsync(http, outcome.StatusCode, outcome.Rejection);
            return Results.Empty;
        }

        using var activity = GatewayTracing.Source.StartActivity(OperationName(http.Request.Path));
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("tokenpay.app_id", request.App.AppId);
            activity.SetTag(GatewayTracing.OutTradeNo, ApiData.KeysOf(request.Data).OutTradeNo);
        }

        http.Features.Set(request);
        var answer = await next(context);
        if (answer is not ApiReply reply)
        {
            // A filter inside the gate answered in its own way (the sandbox loses answers on purpose): that stands.
            return answer;
        }

        activity?.SetTag("tokenpay.code", reply.Code);
        if (!reply.IsSuccess)
        {
            logger.ApiRequestRefused(http.Request.Path, reply.Code, reply.Msg, request.App.AppId);
        }

        await responder.WriteAsync(http, StatusCodes.Status200OK, reply);
        return Results.Empty;
    }
}
