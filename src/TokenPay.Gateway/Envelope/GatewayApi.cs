using System.Buffers;
using TokenPay.Protocol;
using TokenPay.Protocol.Signing;

namespace TokenPay.Gateway.Envelope;

/// <summary>One API operation: takes a verified request, answers with a reply.</summary>
internal delegate Task<ApiReply> ApiOperation(VerifiedRequest request, CancellationToken cancellationToken);

/// <summary>
/// The road every API request takes: signature gate, one feature operation, signing exit. Failures that
/// are bugs or outages answer a signed SYSTEM_ERROR; bad input never reaches that path.
/// </summary>
internal sealed partial class GatewayApi(SignatureGate gate, GatewayResponder responder, ILogger<GatewayApi> logger)
{
    public const string BasePath = "/aggregate-pay/api/gateway";

    public async Task HandleAsync(HttpContext http, ApiOperation operation)
    {
        var cancellationToken = http.RequestAborted;
        byte[]? buffer = null;
        try
        {
            (buffer, var length) = await gate.ReadBodyAsync(http.Request, cancellationToken);
            if (buffer is null)
            {
                await responder.WriteAsync(http, StatusCodes.Status413PayloadTooLarge,
                    ApiReply.Invalid("The request body is larger than the gateway accepts."));
                return;
            }

            var outcome = gate.Check(http.Request, buffer.AsMemory(0, length), http.Request.Headers[PayerMaxSignature.HeaderName]);
            if (outcome.Request is not { } request)
            {
                await responder.WriteAsync(http, outcome.StatusCode, outcome.Rejection);
                return;
            }

            var reply = await operation(request, cancellationToken);
            await responder.WriteAsync(http, StatusCodes.Status200OK, reply);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        catch (Exception ex) when (!http.Response.HasStarted)
        {
            // The exception type and stack only: messages of lower layers are not trusted to be free of request data.
            LogOperationFailed(logger, http.Request.Path, ex.GetType().FullName, ex.StackTrace);
            await responder.WriteAsync(http, StatusCodes.Status200OK, ApiReply.Error(ResultCodes.SystemError, "The gateway could not complete the request; query the order before retrying."));
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "API request {Path} failed with {ExceptionType}: {StackTrace}")]
    private static partial void LogOperationFailed(ILogger logger, string path, string? exceptionType, string? stackTrace);
}
