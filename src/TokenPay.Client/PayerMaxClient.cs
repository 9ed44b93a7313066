using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;
using TokenPay.Protocol;
using TokenPay.Protocol.Json;
using TokenPay.Protocol.Models;
using TokenPay.Protocol.Signing;

namespace TokenPay.Client;

/// <summary>
/// The PayerMax API for .NET. Every request is serialized once, signed over those bytes and sent as those
/// bytes; every answer's <c>sign</c> is verified over the raw bytes before parsing. Declines and refusals
/// come back as <see cref="PayerMaxResult{T}"/>; unknown or untrusted outcomes throw a <see cref="PayerMaxException"/>.
/// </summary>
/// <remarks>
/// <c>orderAndPay</c> is never re-sent automatically. If it throws, the order may or may not exist: call
/// <see cref="OrderQueryAsync"/> with the same <c>outTradeNo</c> (the protocol's idempotency key) and
/// continue from its answer; sending <c>orderAndPay</c> again with the same number answers <c>ORDER_REPEAT</c>.
/// </remarks>
public sealed class PayerMaxClient
{
    private const string ApiPath = "aggregate-pay/api/gateway/";

    private readonly HttpClient _http;
    private readonly PayerMaxCredentials _credentials;
    private readonly PayerMaxClientOptions _options;
    private readonly Uri _baseUrl;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _retryTransient;

    /// <summary>Creates a client (normally through <c>AddPayerMaxClient</c>).</summary>
    public PayerMaxClient(HttpClient httpClient, PayerMaxCredentials credentials, TimeProvider? timeProvider = null, ILogger<PayerMaxClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(credentials);
        _http = httpClient;
        _credentials = credentials;
        _options = credentials.Options;
        var baseUrl = _options.EffectiveBaseUrl.ToString();
        _baseUrl = new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/");
        _clock = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<PayerMaxClient>.Instance;
        _retryTransient = RetryTransientFailures();
    }

    // Every operation takes its request type: the protocol's required fields are required members, so a
    // request the gateway would refuse for a missing field does not compile.

    /// <summary>Creates a payment (any mode; see <see cref="PaymentRequests"/> for builders that set the flags right). Never retried automatically.</summary>
    public Task<PayerMaxResult<OrderAndPayResult>> OrderAndPayAsync(OrderAndPayRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<OrderAndPayRequest, OrderAndPayResult>("orderAndPay", "1.4", request, retrySafe: false, cancellationToken);

    /// <summary>The state of one payment by the merchant's order number. Retried on transient failures.</summary>
    public Task<PayerMaxResult<OrderView>> OrderQueryAsync(OrderQueryRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<OrderQueryRequest, OrderView>("orderQuery", "1.4", request, retrySafe: true, cancellationToken);

    /// <summary>A user's saved cards (<c>tokenScope</c> tokenAcq unless the request names tokenMit). Retried on transient failures.</summary>
    public Task<PayerMaxResult<InquirePaymentTokenResult>> InquirePaymentTokenAsync(InquirePaymentTokenRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendAsync<InquirePaymentTokenRequest, InquirePaymentTokenResult>("inquirePaymentToken", "1.2", request with { TokenScope = request.TokenScope ?? Wire.TokenScopeAcquiring }, retrySafe: true, cancellationToken);
    }

    /// <summary>Unbinds a saved card; idempotent, so retried on transient failures.</summary>
    public Task<PayerMaxResult<RemovePaymentTokenResult>> RemovePaymentTokenAsync(RemovePaymentTokenRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<RemovePaymentTokenRequest, RemovePaymentTokenResult>("removePaymentToken", "1.2", request, retrySafe: true, cancellationToken);

    /// <summary>Starts a Drop-in session for the card component. Not retried (each call makes a new session).</summary>
    public Task<PayerMaxResult<ApplyDropinSessionResult>> ApplyDropinSessionAsync(ApplyDropinSessionRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<ApplyDropinSessionRequest, ApplyDropinSessionResult>("applyDropinSession", "1.6", request, retrySafe: false, cancellationToken);

    /// <summary>
    /// Asks for money back on a SUCCESS order (see <see cref="RefundRequests"/> for full and partial refunds).
    /// Never re-sent automatically: if it throws, call <see cref="RefundQueryAsync"/> with the
    /// same <c>outRefundNo</c>; sending it again with the same number and amount answers the same refund, never a second one.
    /// </summary>
    /// <exception cref="ArgumentException">The request names neither <c>outTradeNo</c> nor <c>tradeToken</c>.</exception>
    public Task<PayerMaxResult<RefundResult>> RefundAsync(RefundRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.OutTradeNo is null && request.TradeToken is null)
        {
            throw new ArgumentException("A refund names its order: outTradeNo or tradeToken.", nameof(request));
        }

        return SendAsync<RefundRequest, RefundResult>("refund", "1.4", request, retrySafe: false, cancellationToken);
    }

    /// <summary>One refund's state by the merchant's refund number (<c>outRefundNo</c>) or the gateway's (<c>refundTradeNo</c>). Retried on transient failures.</summary>
    /// <exception cref="ArgumentException">The request names neither refund number.</exception>
    public Task<PayerMaxResult<RefundView>> RefundQueryAsync(RefundQueryRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.OutRefundNo is null && request.RefundTradeNo is null)
        {
            throw new ArgumentException("A refund query names the refund: outRefundNo or refundTradeNo.", nameof(request));
        }

        return SendAsync<RefundQueryRequest, RefundView>("refundQuery", "1.4", request, retrySafe: true, cancellationToken);
    }

    /// <summary>
    /// Saves a card without a payment: <c>SUCCESS</c> with the token, <c>PENDING</c> with the 3DS <c>redirectUrl</c>
    /// for the customer, or <c>FAILED</c>. <c>paymentMethodType</c> CARD and <c>tokenScope</c> tokenAcq are sent when
    /// the request leaves them null. Never re-sent automatically: if it throws, call
    /// <see cref="InquireApplyRequestAsync"/> with the same <c>requestId</c>.
    /// </summary>
    public Task<PayerMaxResult<TokenApplicationResult>> ApplyPaymentTokenAsync(ApplyPaymentTokenRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var complete = request with { PaymentMethodType = request.PaymentMethodType ?? Wire.Card, TokenScope = request.TokenScope ?? Wire.TokenScopeAcquiring };
        return SendAsync<ApplyPaymentTokenRequest, TokenApplicationResult>("applyPaymentToken", "1.4", complete, retrySafe: false, cancellationToken);
    }

    /// <summary>Where a card-saving request stands, by the user and the request's number. Retried on transient failures.</summary>
    public Task<PayerMaxResult<TokenApplicationResult>> InquireApplyRequestAsync(InquireApplyRequestRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<InquireApplyRequestRequest, TokenApplicationResult>("InquireApplyRequest", "1.4", request, retrySafe: true, cancellationToken);

    /// <summary>One dispute case by the id its CHARGEBACK notification named (docs/disputes.md). Retried on transient failures.</summary>
    public Task<PayerMaxResult<CaseView>> CaseSearchAsync(CaseSearchRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<CaseSearchRequest, CaseView>("caseSearch", "1.5", request, retrySafe: true, cancellationToken);

    /// <summary>
    /// Answers a case with the merchant's words and evidence links while it is <c>DISPUTE_INQUIRY</c> and before the
    /// end of its expiration date. Retried on transient failures: the gateway takes the same answer sent again and
    /// answers the same success (a different answer to a case already answered is refused).
    /// </summary>
    public Task<PayerMaxResult<CaseReplayResult>> CaseReplayAsync(CaseReplayRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<CaseReplayRequest, CaseReplayResult>("caseReplay", "1.5", request, retrySafe: true, cancellationToken);

    /// <summary>
    /// TokenPay's addition, not on PayerMax: the merchant's cases in the order they last changed, from a cursor,
    /// to learn of a case whose notification was missed (keep <c>NextCursor</c> and ask again from it). Retried on transient failures.
    /// </summary>
    public Task<PayerMaxResult<CaseListResult>> CaseListAsync(CaseListRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<CaseListRequest, CaseListResult>("caseList", "1.5", request, retrySafe: true, cancellationToken);

    private async Task<PayerMaxResult<TResult>> SendAsync<TData, TResult>(string api, string version, TData data, bool retrySafe, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        var pipeline = retrySafe ? _retryTransient : ResiliencePipeline.Empty;
        return await pipeline.ExecuteAsync(
            async attemptToken => await SendOnceAsync<TData, TResult>(api, version, data, retrySafe, attemptToken),
            cancellationToken);
    }

    // Only a transport failure of a call safe to repeat is retried, after 200 ms, 400 ms, 800 ms... on the injected
    // clock; a signature failure is not transient and is never retried. The retry wraps the whole call, not the
    // HttpClient (AddResilienceHandler): a handler sees HTTP only, not an answer that is not a protocol answer, and
    // would re-send the old signed requestTime instead of signing each attempt anew.
    // Polly needs at least one retry, so MaxRetries 0 is no pipeline at all.
    private ResiliencePipeline RetryTransientFailures() => _options.MaxRetries == 0
        ? ResiliencePipeline.Empty
        : new ResiliencePipelineBuilder { TimeProvider = _clock }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<PayerMaxTransportException>(),
                MaxRetryAttempts = _options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(200),
                UseJitter = false,
                OnRetry = retry =>
                {
                    var failure = (PayerMaxTransportException)retry.Outcome.Exception!;
                    _logger.Retrying(failure.Api, retry.AttemptNumber + 1, failure.Message);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();

    private async Task<PayerMaxResult<TResult>> SendOnceAsync<TData, TResult>(string api, string version, TData data, bool retrySafe, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(
            new RequestEnvelope<TData>
            {
                Version = version,
                KeyVersion = _options.KeyVersion,
                RequestTime = PayerMaxTime.Format(_clock.GetUtcNow()),
                AppId = _options.AppId,
                MerchantNo = _options.MerchantNo,
                Data = data,
            },
            PayerMaxJson.Options);

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_baseUrl, ApiPath + api)) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation(PayerMaxSignature.HeaderName, PayerMaxSignature.Sign(_credentials.MerchantKey, body));

        using var timeout = new CancellationTokenSource(_options.Timeout, _clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var started = Stopwatch.GetTimestamp();
        byte[] answer;
        HttpStatusCode status;
        string? signature;
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token);
            status = response.StatusCode;
            answer = await response.Content.ReadAsByteArrayAsync(linked.Token);
            signature = response.Headers.TryGetValues(PayerMaxSignature.HeaderName, out var values) ? values.FirstOrDefault() : null;
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new PayerMaxTransportException(api, retrySafe, $"{api} timed out after {_options.Timeout.TotalSeconds:0.###} s.{Advice(api, retrySafe)}", ex);
        }
        catch (HttpRequestException ex)
        {
            // Only a connection that was never made proves the request did not leave; any later failure is doubt.
            var nothingSent = ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError;
            throw new PayerMaxTransportException(api, retrySafe, $"{api} could not reach the gateway ({ex.HttpRequestError}).{Advice(api, retrySafe)}", ex, nothingSent);
        }

        if ((int)status >= 500 || status == HttpStatusCode.TooManyRequests)
        {
            throw new PayerMaxTransportException(api, retrySafe, $"{api} answered HTTP {(int)status}.{Advice(api, retrySafe)}");
        }

        // Verify the exact bytes received before reading any of them.
        var signed = signature is not null;
        if (signed && !PayerMaxSignature.Verify(_credentials.PlatformKey, answer, signature))
        {
            throw new PayerMaxSignatureException(api, retrySafe, $"The {api} answer's signature does not verify with the platform public key; the answer was discarded.{Advice(api, retrySafe)}");
        }

        ApiResponse<TResult>? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize<ApiResponse<TResult>>(answer, PayerMaxJson.Options);
        }
        catch (JsonException ex)
        {
            throw new PayerMaxTransportException(api, retrySafe, $"{api} answered HTTP {(int)status} with a body that is not a protocol answer.{Advice(api, retrySafe)}", ex);
        }

        if (parsed is null || string.IsNullOrEmpty(parsed.Code))
        {
            throw new PayerMaxTransportException(api, retrySafe, $"{api} answered HTTP {(int)status} without a code.{Advice(api, retrySafe)}");
        }

        // PayerMax signs every success; an unsigned success could be forged and is never trusted.
        if (!signed && parsed.Code == ResultCodes.ApplySuccess)
        {
            throw new PayerMaxSignatureException(api, retrySafe, $"The {api} answer claims success but carries no signature; the answer was discarded.{Advice(api, retrySafe)}");
        }

        var elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        _logger.Answered(api, parsed.Code, elapsedMs);
        return new PayerMaxResult<TResult> { Code = parsed.Code, Msg = parsed.Msg ?? "", Data = parsed.Data, IsSigned = signed };
    }

    private static string Advice(string api, bool retrySafe) => retrySafe
        ? " It is safe to call again."
        : api == "orderAndPay"
            ? " The order may or may not exist: query it by outTradeNo before paying again."
            : " Check the outcome before calling again.";
}
