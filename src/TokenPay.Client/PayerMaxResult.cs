using TokenPay.Protocol;

namespace TokenPay.Client;

/// <summary>
/// A verified answer: <see cref="Code"/> says whether the request was accepted; a declined or refused
/// payment is a result, not an exception. The state of an order is in <see cref="Data"/> (its <c>status</c>).
/// </summary>
/// <typeparam name="T">The API's answer data.</typeparam>
public sealed record PayerMaxResult<T>
{
    /// <summary><c>APPLY_SUCCESS</c> when the request was accepted; otherwise a docs/protocol.md 4 code such as <c>ORDER_REPEAT</c>.</summary>
    public required string Code { get; init; }

    /// <summary>The gateway's explanation.</summary>
    public required string Msg { get; init; }

    /// <summary>The answer data; null for most refusals.</summary>
    public T? Data { get; init; }

    /// <summary>Whether the answer carried a signature that verified. Success answers are always signed (else an exception is thrown).</summary>
    public required bool IsSigned { get; init; }

    /// <summary>True when <see cref="Code"/> is <c>APPLY_SUCCESS</c>.</summary>
    public bool IsSuccess => Code == ResultCodes.ApplySuccess;
}
