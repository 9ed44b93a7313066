using System.Globalization;
using System.Text.Json;
using TokenPay.Gateway.Envelope;
using TokenPay.Gateway.Storage;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;
using static TokenPay.Gateway.Envelope.FieldRules;

namespace TokenPay.Gateway.Disputes;

/// <summary>
/// <c>caseSearch</c>, <c>caseReplay</c> and <c>caseList</c> (docs/disputes.md). A merchant sees and answers only its
/// own cases; every refusal names the field or the case and why.
/// </summary>
internal sealed class DisputeEndpoints(DisputeStore disputes, DisputeRecorder recorder, TimeProvider clock)
{
    private const int MaxFiles = 10;
    private const int DefaultLimit = 50;
    private const int MaxLimit = 100;

    private static readonly string[] EvidenceExtensions = [".png", ".jpg", ".jpeg", ".pdf", ".zip", ".doc", ".docx", ".xls", ".xlsx"];

    public async Task<ApiReply> CaseSearchAsync(VerifiedRequest request, CancellationToken cancellationToken)
    {
        if (!ApiData.TryParse<CaseSearchRequest>(request, out var data, out var error))
        {
            return MissingField(request, "caseId") ?? error;
        }

        if (Required(data.CaseId, "caseId", 64) is { } invalid)
        {
            return invalid;
        }

        return await disputes.FindAsync(request.App.MerchantNo, data.CaseId, cancellationToken) is { } dispute
            ? ApiReply.Success(DisputeViews.From(dispute))
            : NoCase(data.CaseId);
    }

    public async Task<ApiReply> CaseReplayAsync(VerifiedRequest request, CancellationToken cancellationToken)
    {
        if (!ApiData.TryParse<CaseReplayRequest>(request, out var data, out var error))
        {
            return MissingField(request, "outUserId", "responseContent", "representmentFile") ?? error;
        }

        if (Check(data) is { } invalid)
        {
            return invalid;
        }

        var caseId = data.CaseId!;
        var files = data.RepresentmentFile;
        // A concurrent change of the case (a ruling, a cancellation, the same answer sent twice at once) is read again.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var dispute = await disputes.FindAsync(request.App.MerchantNo, caseId, cancellationToken);
            if (dispute is null || dispute.UserId != data.OutUserId)
            {
                return NoCase(caseId);
            }

            if (Refusal(dispute, data.ResponseContent, files) is { } refused)
            {
                return refused;
            }

            if (dispute.Status == DisputeStatuses.Received)
            {
                return Replayed(caseId);
            }

            if (await recorder.AnswerAsync(dispute, data.ResponseContent, files, cancellationToken) == DisputeWriteOutcome.Applied)
            {
                // The answer is a promise once recorded: a failure to pass it on now leaves it to the dispute intake.
                if (await disputes.FindAsync(request.App.MerchantNo, caseId, cancellationToken) is { } answered)
                {
                    await recorder.ForwardEvidenceAsync(answered, cancellationToken);
                }

                return Replayed(caseId);
            }
        }

        throw new InvalidOperationException($"Case {caseId} kept changing while its answer was recorded.");
    }

    public async Task<ApiReply> CaseListAsync(VerifiedRequest request, CancellationToken cancellationToken)
    {
        if (!ApiData.TryParse<CaseListRequest>(request, out var data, out var error))
        {
            return error;
        }

        if (data.OutTradeNo is not null && MerchantNumber(data.OutTradeNo, "outTradeNo") is { } badOrder)
        {
            return badOrder;
        }

        var after = 0L;
        if (data.Cursor is not null && !long.TryParse(data.Cursor, NumberStyles.None, CultureInfo.InvariantCulture, out after))
        {
            return ApiReply.Invalid("cursor must be a nextCursor caseList answered.");
        }

        var limit = data.Limit ?? DefaultLimit;
        if (limit is < 1 or > MaxLimit)
        {
            return ApiReply.Invalid($"limit must be 1 to {MaxLimit}.");
        }

        var page = await disputes.ListChangedAsync(request.App.MerchantNo, data.OutTradeNo, after, limit + 1, cancellationToken);
        var cases = page.Take(limit).ToList();
        return ApiReply.Success(new CaseListResult
        {
            Cases = [.. cases.Select(DisputeViews.From)],
            NextCursor = (cases.Count > 0 ? cases[^1].ChangeSeq : after).ToString(CultureInfo.InvariantCulture),
            HasMore = page.Count > limit,
        });
    }

    private static ApiReply? Check(CaseReplayRequest r)
    {
        if (r.BatchId is not null) return ApiReply.Invalid("batchId names a batch retrieval, and TokenPay raises none: answer each case by caseId.");
        if (Required(r.CaseId, "caseId", 64) is { } e1) return e1;
        if (Required(r.OutUserId, "outUserId", 64) is { } e2) return e2;
        if (Required(r.ResponseContent, "responseContent", 256) is { } e3) return e3;
        if (r.RepresentmentFile is null || r.RepresentmentFile.Count == 0) return ApiReply.Invalid("representmentFile is required: at least one evidence link.");
        if (r.RepresentmentFile.Count > MaxFiles) return ApiReply.Invalid($"representmentFile may hold at most {MaxFiles} links.");
        for (var i = 0; i < r.RepresentmentFile.Count; i++)
        {
            if (EvidenceLink(r.RepresentmentFile[i], $"representmentFile[{i}]") is { } e4) return e4;
        }

        return null;
    }

    private static ApiReply? EvidenceLink(string? link, string field)
    {
        if ((Required(link, field, 512) ?? Url(link, field, 512)) is { } invalid) return invalid;
        var uri = new Uri(link!);
        if (uri.Scheme != Uri.UriSchemeHttps) return ApiReply.Invalid($"{field} must be an https link.");
        var name = uri.Segments[^1];
        return EvidenceExtensions.Any(e => name.Length > e.Length && name.EndsWith(e, StringComparison.OrdinalIgnoreCase))
            ? null
            : ApiReply.Invalid($"{field} must end in a file name with extension png, jpg, jpeg, pdf, zip, doc, docx, xls or xlsx.");
    }

    // Why a case cannot take this answer, or null: it is open and in time, or it already took this same answer.
    private ApiReply? Refusal(DisputeRecord dispute, string text, IReadOnlyList<string> files)
    {
        if (dispute.Status == DisputeStatuses.Received)
        {
            return dispute.AnswerText == text && DisputeRecorder.FilesOf(dispute).SequenceEqual(files, StringComparer.Ordinal)
                ? null
                : ApiReply.Error(ResultCodes.CaseStatusInvalid, $"Case {dispute.CaseId} was already answered otherwise; it takes one answer.");
        }

        if (dispute.Status != DisputeStatuses.Inquiry)
        {
            return ApiReply.Error(ResultCodes.CaseStatusInvalid, $"Case {dispute.CaseId} is {dispute.Status}: it takes no answer any more.");
        }

        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        return today > DateOnly.ParseExact(dispute.ExpirationDate, "yyyy-MM-dd", CultureInfo.InvariantCulture)
            ? ApiReply.Error(ResultCodes.CaseStatusInvalid, $"Case {dispute.CaseId} could be answered until the end of {dispute.ExpirationDate} (UTC); that has passed.")
            : null;
    }

    private static ApiReply Replayed(string caseId) => ApiReply.Success(new CaseReplayResult { SuccessCaseIds = [caseId], FailCaseIds = [] });

    private static ApiReply NoCase(string caseId) =>
        ApiReply.Error(ResultCodes.CaseNotExist, $"No case {caseId} exists for this merchant and outUserId.");

    // A required field that is absent fails the parse as a whole: name it.
    private static ApiReply? MissingField(VerifiedRequest request, params string[] fields)
    {
        try
        {
            using var data = JsonDocument.Parse(request.Data);
            return fields.FirstOrDefault(f => !data.RootElement.TryGetProperty(f, out var value) || value.ValueKind == JsonValueKind.Null) is { } missing
                ? ApiReply.Invalid($"{missing} is required.")
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
