namespace TokenPay.Gateway.Core;

/// <summary>Set by the one signing exit: the PayerMax code of the answer, for the request line.</summary>
internal sealed class AnsweredCode
{
    public string? Code { get; set; }
}
