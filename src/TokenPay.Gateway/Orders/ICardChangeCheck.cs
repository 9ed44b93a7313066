namespace TokenPay.Gateway.Orders;

/// <summary>
/// The account updater as payments need it: after an issuer's decline saying the stored card changed (MAC 01 or
/// 21), learn how at once, so the merchant's next attempt uses the news. The tokens feature implements it.
/// </summary>
internal interface ICardChangeCheck
{
    /// <summary>Checks one token with its acquirer now and applies what the issuer changed.</summary>
    Task CheckTokenAsync(string merchantNo, string paymentTokenId, CancellationToken cancellationToken);
}
