using System.Text.Json;
using TokenPay.Client;
using TokenPay.Merchant.Storage;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;

namespace TokenPay.Merchant.Disputes;

/// <summary>
/// The merchant's dispute inbox (docs/disputes.md): cases as heard from notifications and caseList, refreshed one by one
/// with caseSearch, and answered with caseReplay while they can be. A double submit of the same answer is safe: it is
/// taken once here and the gateway takes the same answer again.
/// </summary>
internal sealed class DisputeService(PayerMaxClient client, DisputeLedger disputes, PaymentStore payments, WalletStore wallet, TimeProvider clock)
{
    /// <summary>The most evidence links an answer takes, and the extensions they may end in (docs/disputes.md).</summary>
    public const int MaxFiles = 10;

    private static readonly string[] FileExtensions = ["png", "jpg", "jpeg", "pdf", "zip", "doc", "docx", "xls", "xlsx"];

    /// <summary>Cases the filter matches, newest first.</summary>
    public async Task<IReadOnlyList<DisputeSummary>> ListAsync(DisputeFilter filter, int limit, CancellationToken cancellationToken) =>
        [.. (await disputes.ListAsync(filter, limit, cancellationToken)).Select(d => DisputeViews.Summary(d, Today))];

    /// <summary>One case with its payment, card and timeline; null when it is not known here.</summary>
    public async Task<DisputeDetails?> DetailsAsync(string caseId, CancellationToken cancellationToken)
    {
        if (await disputes.FindAsync(caseId, cancellationToken) is not { } d)
        {
            return null;
        }

        var payment = await payments.FindAsync(d.OutTradeNo, cancellationToken);
        var card = d.PaymentTokenId is { } token ? await wallet.FindAsync(token, cancellationToken) : null;
        var timeline = await disputes.TimelineAsync(caseId, cancellationToken);
        return new DisputeDetails(
            DisputeViews.Summary(d, Today),
            payment is null ? null : DisputeViews.Charge(payment),
            card is null ? null : DisputeViews.Card(card),
            [.. timeline.Select(e => new DisputeStep(e.Status, DateTimeOffset.FromUnixTimeMilliseconds(e.At)))],
            d.AnswerContent,
            d.AnswerFiles is { } files ? JsonSerializer.Deserialize<string[]>(files) ?? [] : [],
            d.AnsweredAt is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null);
    }

    /// <summary>Reads one case from the gateway (caseSearch) and applies it; null when the gateway knows no such case.</summary>
    /// <exception cref="PayerMaxException">The gateway could not be asked.</exception>
    public async Task<DisputeDetails?> RefreshAsync(string caseId, CancellationToken cancellationToken)
    {
        var answer = await client.CaseSearchAsync(new CaseSearchRequest { CaseId = caseId }, cancellationToken);
        if (answer is { IsSuccess: true, Data: { } view })
        {
            await disputes.ApplyAsync(view, Now, cancellationToken);
        }
        else if (answer.Code != ResultCodes.CaseNotExist)
        {
            throw new InvalidOperationException($"caseSearch answered {answer.Code}: {answer.Msg}");
        }

        return await DetailsAsync(caseId, cancellationToken);
    }

    /// <summary>What is wrong with an answer, or null when it can be sent.</summary>
    public static (string Field, string Message)? Check(string? text, IReadOnlyList<string>? files)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return ("responseContent", "responseContent is required: the answer in words, at most 256 characters.");
        }

        if (text.Length > 256)
        {
            return ("responseContent", $"responseContent is {text.Length} characters long; the answer may have at most 256.");
        }

        if (files is { Count: > MaxFiles })
        {
            return ("representmentFile", $"At most {MaxFiles} evidence links (representmentFile) per answer.");
        }

        var bad = (files ?? []).FirstOrDefault(f => !IsEvidenceLink(f));
        return bad is null ? null
            : ("representmentFile", $"Evidence link {bad} is not an https link of at most 512 characters ending in a file name with extension {string.Join(", ", FileExtensions)}.");
    }

    private static bool IsEvidenceLink(string link) =>
        link.Length <= 512 && Uri.TryCreate(link, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps
        && Path.GetExtension(uri.AbsolutePath).TrimStart('.').ToLowerInvariant() is var extension && FileExtensions.Contains(extension);

    /// <summary>
    /// Answers a case with caseReplay: only while it is DISPUTE_INQUIRY and before the end of its expiration date (UTC).
    /// The same answer again (a double submit) is taken again without asking the gateway once it is recorded here.
    /// </summary>
    public async Task<DisputeReply> ReplyAsync(string caseId, string? text, IReadOnlyList<string>? files, CancellationToken cancellationToken)
    {
        if (Check(text, files) is var (field, problem))
        {
            return new DisputeReply(DisputeReplyOutcome.Invalid, problem, field);
        }

        if (await disputes.FindAsync(caseId, cancellationToken) is not { } d)
        {
            return new DisputeReply(DisputeReplyOutcome.NotFound, $"No dispute case {caseId} is known here.", "caseId");
        }

        IReadOnlyList<string> evidence = files ?? [];
        if (d.AnswerContent == text && d.AnswerFiles == JsonSerializer.Serialize(evidence))
        {
            return await RepliedAsync(DisputeReplyOutcome.Taken, $"Case {caseId} was already answered with this answer; nothing was sent again.", caseId, cancellationToken);
        }

        if (Refusal(d) is { } refusal)
        {
            return await RepliedAsync(DisputeReplyOutcome.Refused, refusal, caseId, cancellationToken);
        }

        PayerMaxResult<CaseReplayResult> answer;
        try
        {
            answer = await client.CaseReplayAsync(new CaseReplayRequest { CaseId = caseId, OutUserId = d.UserId, ResponseContent = text!, RepresentmentFile = evidence }, cancellationToken);
        }
        catch (PayerMaxException)
        {
            return await RepliedAsync(DisputeReplyOutcome.Unknown,
                $"The gateway did not answer: the answer to case {caseId} may or may not have been taken. Sending the same answer again is safe.", caseId, cancellationToken);
        }

        if (answer is { IsSuccess: true, Data: { } result } && result.SuccessCaseIds.Contains(caseId))
        {
            await disputes.RecordAnswerAsync(caseId, text!, evidence, cancellationToken);
            return await RepliedAsync(DisputeReplyOutcome.Taken, $"The answer to case {caseId} was taken and passed to the issuer.", caseId, cancellationToken);
        }

        return await RepliedAsync(DisputeReplyOutcome.Refused, $"The gateway refused the answer to case {caseId}: {answer.Msg} ({answer.Code}).", caseId, cancellationToken);
    }

    // Why a case cannot be answered now, in the operator's words; null when it can.
    private string? Refusal(Dispute d) => d.Status switch
    {
        DisputeStatuses.Inquiry when DisputeViews.IsPastDeadline(d, Today) =>
            $"Case {d.CaseId} can no longer be answered: its answer window ended with {d.ExpirationDate} (UTC).",
        DisputeStatuses.Inquiry => null,
        DisputeStatuses.Received => $"Case {d.CaseId} was already answered (DISPUTE_RECEIVED); a different answer is refused.",
        _ => $"Case {d.CaseId} is {d.Status}: only a case in DISPUTE_INQUIRY can be answered.",
    };

    private async Task<DisputeReply> RepliedAsync(DisputeReplyOutcome outcome, string message, string caseId, CancellationToken cancellationToken) =>
        new(outcome, message, Details: await DetailsAsync(caseId, cancellationToken));

    private DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    private long Now => clock.GetUtcNow().ToUnixTimeMilliseconds();
}
