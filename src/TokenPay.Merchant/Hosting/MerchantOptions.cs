using Microsoft.Extensions.Options;
using TokenPay.Storage;

namespace TokenPay.Merchant.Hosting;

/// <summary>The <c>Merchant</c> configuration section (the PayerMax client has its own <c>PayerMax</c> section).</summary>
public sealed class MerchantOptions
{
    public const string Section = "Merchant";

    /// <summary><c>Merchant:Storage:Provider</c> (<c>Sqlite</c> or <c>Postgres</c>) and <c>:ConnectionString</c>.</summary>
    public StorageOptions Storage { get; set; } = new();

    /// <summary>The first key of the SQLite connection string (<c>Merchant:ConnectionString</c>); still read when <c>Merchant:Storage:ConnectionString</c> is not set.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The storage in effect: SQLite in the working directory unless configured.</summary>
    internal StorageOptions EffectiveStorage => Storage.ConnectionString is { Length: > 0 } ? Storage
        : new StorageOptions { Provider = Storage.Provider, ConnectionString = ConnectionString ?? "Data Source=tokenpay-merchant.db" };

    /// <summary>Absolute base of this service for return and notify URLs; empty: taken from each request.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Where the gateway sends notifications; empty: this service's /payermax/notify.</summary>
    public string? NotifyUrl { get; set; }

    /// <summary>Payments still open after this long are settled with orderQuery.</summary>
    public TimeSpan ReconcileAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the reconciler looks.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often dispute cases are reconciled with caseList (a case whose CHARGEBACK notification was lost is learnt of then).</summary>
    public TimeSpan DisputeSyncInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The country orders are made in (ISO 3166 alpha-2).</summary>
    public string Country { get; set; } = "US";

    /// <summary>The IP and browser sent as buyerInfo on merchant-initiated charges (the customer is not there).</summary>
    public string ServerIp { get; set; } = "127.0.0.1";

    /// <summary>Who may charge cards and read wallets: the API key and the operator pages' login.</summary>
    public OperatorOptions Operator { get; set; } = new();

    /// <summary>How declined merchant-initiated charges are retried (docs/stored-credentials.md).</summary>
    public SmartRetryOptions SmartRetries { get; set; } = new();
}

/// <summary>The <c>Merchant:SmartRetries</c> section.</summary>
public sealed class SmartRetryOptions
{
    /// <summary>Whether declined charges are retried at all (the network's advice still decides when, or whether).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Retry offsets from the first decline when the advice names no time; empty: 1, 3 and 5 days. Its length is the most retries a charge gets.</summary>
    public List<TimeSpan> Schedule { get; set; } = [];

    /// <summary>How often due retries are looked for.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(1);

    public IReadOnlyList<TimeSpan> EffectiveSchedule => Schedule.Count > 0 ? Schedule : Payments.SmartRetries.DefaultSchedule;
}

/// <summary>The <c>Merchant:Operator</c> section. Without an API key the HTTP API refuses every call; without a password hash nobody can sign in to the operator pages.</summary>
public sealed class OperatorOptions
{
    /// <summary>The key API callers send in the <c>X-Operator-Key</c> header (compared in constant time).</summary>
    public string? ApiKey { get; set; }

    /// <summary>The operator pages' user name.</summary>
    public string User { get; set; } = "operator";

    /// <summary>The operator password as an ASP.NET Core Identity password hash (make one with <c>merchant hash-password</c>); never the password itself.</summary>
    public string? PasswordHash { get; set; }
}

/// <summary>
/// Checks <see cref="MerchantOptions"/> when the service starts (a command checks before it runs), with one
/// sentence per wrong setting that names it.
/// </summary>
internal sealed class MerchantOptionsValidator : IValidateOptions<MerchantOptions>
{
    // A PeriodicTimer takes at most 2^32-2 ms (about 49.7 days).
    private static readonly TimeSpan LongestInterval = TimeSpan.FromDays(49);

    public ValidateOptionsResult Validate(string? name, MerchantOptions options)
    {
        var failures = new List<string>();
        if (options.ReconcileInterval <= TimeSpan.Zero || options.ReconcileInterval > LongestInterval)
        {
            failures.Add("Merchant:ReconcileInterval must be positive and at most 49 days.");
        }

        if (options.DisputeSyncInterval <= TimeSpan.Zero || options.DisputeSyncInterval > LongestInterval)
        {
            failures.Add("Merchant:DisputeSyncInterval must be positive and at most 49 days.");
        }

        var retries = options.SmartRetries;
        if (retries.PollInterval <= TimeSpan.Zero || retries.PollInterval > LongestInterval)
        {
            failures.Add("Merchant:SmartRetries:PollInterval must be positive and at most 49 days.");
        }

        var schedule = retries.EffectiveSchedule;
        if (schedule[0] <= TimeSpan.Zero || schedule.Zip(schedule.Skip(1)).Any(pair => pair.Second <= pair.First))
        {
            failures.Add("Merchant:SmartRetries:Schedule must be positive offsets in ascending order.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
