using TokenPay.Acquiring.Simulator;
using TokenPay.Gateway.Sandbox;
using TokenPay.Gateway.Storage;

namespace TokenPay.Gateway.Hosting;

/// <summary>
/// The sandbox's dispute triggers name cases by the gateway's case ids (D...); the simulator knows its own. The
/// gateway's record of cases tells one from the other (the sandbox's acquirer is the simulator).
/// </summary>
internal sealed class GatewayDisputeCases(DisputeStore disputes) : IDisputeCaseLookup
{
    public async Task<string?> AcquirerCaseIdAsync(string? merchantNo, string caseId, CancellationToken cancellationToken) =>
        (await disputes.FindAsync(merchantNo, caseId, cancellationToken))?.AcquirerCaseId;

    public async Task<string?> GatewayCaseIdAsync(string acquirerCaseId, CancellationToken cancellationToken) =>
        (await disputes.FindByAcquirerCaseAsync(SimulatorRegistration.Name, acquirerCaseId, cancellationToken))?.CaseId;
}
