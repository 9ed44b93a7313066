namespace TokenPay.Gateway.Sandbox;

/// <summary>
/// The gateway's dispute case ids (D...) beside the acquirer's, for the sandbox's dispute triggers. The gateway's
/// record of cases provides it (registered before the sandbox, it replaces <see cref="NoGatewayCases"/>).
/// </summary>
internal interface IDisputeCaseLookup
{
    /// <summary>The acquirer's id of the gateway's case <paramref name="caseId"/> (of <paramref name="merchantNo"/> when named); null when the gateway has no such case.</summary>
    Task<string?> AcquirerCaseIdAsync(string? merchantNo, string caseId, CancellationToken cancellationToken);

    /// <summary>The gateway's id of the acquirer's case once the gateway recorded it; null before.</summary>
    Task<string?> GatewayCaseIdAsync(string acquirerCaseId, CancellationToken cancellationToken);
}

/// <summary>A gateway that keeps no cases of its own: triggers name the acquirer's case ids.</summary>
internal sealed class NoGatewayCases : IDisputeCaseLookup
{
    public Task<string?> AcquirerCaseIdAsync(string? merchantNo, string caseId, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    public Task<string?> GatewayCaseIdAsync(string acquirerCaseId, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
}
