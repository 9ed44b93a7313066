using TokenPay.Client;
using TokenPay.Merchant.Storage;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;

namespace TokenPay.Merchant.Wallet;

/// <summary>A user's saved cards: filled from notifications and queries, reconciled with inquirePaymentToken, removed with removePaymentToken.</summary>
internal sealed class WalletService(PayerMaxClient client, WalletStore entries)
{
    /// <summary>
    /// The user's cards, each with its expiry. A card saved by a payment arrives without one (orderQuery and the
    /// PAYMENT notification do not carry it, and TOKENIZATION notifications may be off): the token inquiry, which
    /// does, fills it in the first time the wallet is read. Unreachable, the gateway leaves the list as it was.
    /// </summary>
    public async Task<IReadOnlyList<WalletEntry>> ListAsync(string userId, CancellationToken cancellationToken)
    {
        var list = await entries.ListAsync(userId, cancellationToken);
        if (!list.Any(e => e.Expiry is null && e.Status == TokenStatuses.Activated))
        {
            return list;
        }

        try
        {
            return await SyncAsync(userId, cancellationToken);
        }
        catch (PayerMaxException)
        {
            return list;
        }
    }

    public Task<WalletEntry?> FindAsync(string paymentTokenId, CancellationToken cancellationToken) => entries.FindAsync(paymentTokenId, cancellationToken);

    /// <summary>Whether an unscheduled charge may use the card: it is active and its customer allowed merchant-initiated charges.</summary>
    public static bool IsChargeable(WalletEntry entry) => entry.Status == TokenStatuses.Activated && entry.MitAllowed;

    /// <summary>
    /// The card an unscheduled charge uses when none is chosen: the user's most recently saved chargeable card, one that
    /// no fraud dispute stopped first (when only such a card is left, it is chosen and the charge is refused naming the case).
    /// </summary>
    public async Task<WalletEntry?> ChargeableCardAsync(string userId, CancellationToken cancellationToken) =>
        (await entries.ListAsync(userId, cancellationToken)).Where(IsChargeable).MaxBy(e => (e.FraudCaseId is null, e.UpdatedAt));

    /// <summary>Takes the gateway's list of the user's tokens as the truth (status, expiry, MIT capability).</summary>
    public async Task<IReadOnlyList<WalletEntry>> SyncAsync(string userId, CancellationToken cancellationToken)
    {
        var answer = await client.InquirePaymentTokenAsync(new InquirePaymentTokenRequest { UserId = userId }, cancellationToken);
        foreach (var token in answer.Data?.TokenList ?? [])
        {
            await entries.UpsertFromGatewayAsync(WalletEntry.FromGateway(token), cancellationToken);
        }

        return await entries.ListAsync(userId, cancellationToken);
    }

    /// <summary>Unbinds the card at the gateway, then shows it removed; it can no longer be charged.</summary>
    public async Task<bool> RemoveAsync(string userId, string paymentTokenId, CancellationToken cancellationToken)
    {
        var entry = await entries.FindAsync(paymentTokenId, cancellationToken);
        if (entry is null || entry.UserId != userId)
        {
            return false;
        }

        var answer = await client.RemovePaymentTokenAsync(new RemovePaymentTokenRequest { UserId = userId, PaymentTokenId = paymentTokenId, RemoveReason = "Removed by the user" }, cancellationToken);
        if (!answer.IsSuccess && answer.Code != ResultCodes.TokenNotExist)
        {
            throw new InvalidOperationException($"The gateway did not remove the card: {answer.Code} {answer.Msg}");
        }

        await entries.SetStatusAsync(paymentTokenId, TokenStatuses.Deleted, cancellationToken);
        return true;
    }
}
