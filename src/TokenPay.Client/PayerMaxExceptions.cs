namespace TokenPay.Client;

/// <summary>
/// A call whose outcome is unknown or untrusted. Declines and refusals are never exceptions; these are.
/// <see cref="IsRetrySafe"/> says whether sending the same call again is harmless.
/// </summary>
public abstract class PayerMaxException : Exception
{
    /// <summary>Creates the exception.</summary>
    protected PayerMaxException(string api, bool isRetrySafe, string message, Exception? inner = null)
        : base(message, inner)
    {
        Api = api;
        IsRetrySafe = isRetrySafe;
    }

    /// <summary>The API that was called, e.g. <c>orderAndPay</c>.</summary>
    public string Api { get; }

    /// <summary>
    /// True when repeating the call cannot move money twice (queries, token inquiry and removal). For
    /// <c>orderAndPay</c> it is false: query the order by its <c>outTradeNo</c> and act on what it says.
    /// </summary>
    public bool IsRetrySafe { get; }
}

/// <summary>The gateway could not be reached, timed out, or answered something that is not a protocol answer.</summary>
public sealed class PayerMaxTransportException : PayerMaxException
{
    /// <summary>Creates the exception.</summary>
    public PayerMaxTransportException(string api, bool isRetrySafe, string message, Exception? inner = null, bool nothingSent = false)
        : base(api, isRetrySafe, message, inner)
    {
        NothingSent = nothingSent;
    }

    /// <summary>
    /// True only when the request provably never left this process: no connection to the gateway could be made
    /// (refused, name not resolved, TLS failed). Then the gateway holds nothing of it. False means doubt: a
    /// timeout, a lost answer or a 5xx may follow a request the gateway received and acted on.
    /// </summary>
    public bool NothingSent { get; }
}

/// <summary>An answer whose <c>sign</c> header is missing or does not verify with the platform public key: it must not be trusted.</summary>
public sealed class PayerMaxSignatureException : PayerMaxException
{
    /// <summary>Creates the exception.</summary>
    public PayerMaxSignatureException(string api, bool isRetrySafe, string message)
        : base(api, isRetrySafe, message)
    {
    }
}
