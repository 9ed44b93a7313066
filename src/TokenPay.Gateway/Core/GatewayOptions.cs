using TokenPay.Storage;

namespace TokenPay.Gateway.Core;

/// <summary>The <c>Gateway</c> configuration section. Key names are a contract: README and scripts use them.</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary><c>Gateway:Storage:Provider</c> and <c>:ConnectionString</c>; SQLite in the working directory by default.</summary>
    public StorageOptions Storage { get; set; } = new() { ConnectionString = "Data Source=tokenpay-gateway.db" };

    /// <summary>Base64 PKCS#8 (or PEM). Empty: generated on first start and kept in the database.</summary>
    public string? PlatformPrivateKey { get; set; }

    public List<MerchantOptions> Merchants { get; set; } = [];

    /// <summary>How far <c>requestTime</c> may be from the gateway's clock, either way.</summary>
    public TimeSpan RequestTimeWindow { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Absolute base for links handed to browsers (3DS, cashier). Empty: taken from each request.</summary>
    public string? PublicBaseUrl { get; set; }

    public VaultOptions Vault { get; set; } = new();

    /// <summary>Largest request body accepted; larger bodies are refused before they are read.</summary>
    public int MaxRequestBodyBytes { get; set; } = 64 * 1024;

    public OrderOptions Orders { get; set; } = new();

    public NotificationOptions Notifications { get; set; } = new();

    public AdminOptions Admin { get; set; } = new();

    public AcquirerOptions Acquirers { get; set; } = new();

    public MetricsOptions Metrics { get; set; } = new();

    public SandboxOptions Sandbox { get; set; } = new();

    public TracingOptions Tracing { get; set; } = new();
}

/// <summary><c>Gateway:Tracing</c>: where spans go (activity sources TokenPay.Gateway, ASP.NET Core's and HttpClient's); nowhere unless set.</summary>
public sealed class TracingOptions
{
    /// <summary>Push spans by OTLP to this endpoint (e.g. <c>http://127.0.0.1:4317</c>).</summary>
    public string? OtlpEndpoint { get; set; }
}

/// <summary>
/// <c>Gateway:Sandbox</c>: the test bench (docs/sandbox.md). When enabled the gateway runs on a clock an operator
/// can move (<c>/sandbox/clock</c>) and takes failure rules (<c>/sandbox/faults</c>). Never enable it in production.
/// </summary>
public sealed class SandboxOptions
{
    public bool Enabled { get; set; }
}

/// <summary><c>Gateway:Metrics</c>: where the gateway's metrics (meter TokenPay.Gateway and ASP.NET Core's) go; nowhere unless set.</summary>
public sealed class MetricsOptions
{
    /// <summary>Serve the Prometheus text format at <c>/metrics</c>.</summary>
    public bool Prometheus { get; set; }

    /// <summary>Also push them by OTLP to this endpoint (e.g. <c>http://127.0.0.1:4317</c>).</summary>
    public string? OtlpEndpoint { get; set; }
}

public sealed class MerchantOptions
{
    public string? AppId { get; set; }
    public string? MerchantNo { get; set; }

    /// <summary>Base64 SubjectPublicKeyInfo DER, or PEM.</summary>
    public string? PublicKey { get; set; }

    public string KeyVersion { get; set; } = "1";

    /// <summary>Where PAYMENT notifications go when an order names no notifyUrl.</summary>
    public string? NotifyUrl { get; set; }

    /// <summary>Where REFUND notifications go when a refund names no refundNotifyUrl (none when both are absent).</summary>
    public string? RefundNotifyUrl { get; set; }

    /// <summary>Where CHARGEBACK notifications go (docs/disputes.md); when absent, to <see cref="NotifyUrl"/>.</summary>
    public string? DisputeNotifyUrl { get; set; }

    /// <summary>Also send TOKENIZATION notifications: when a card is saved, and on every later change of its token (docs/protocol.md 5.1).</summary>
    public bool TokenizationNotifications { get; set; }

    /// <summary>The country (ISO 3166 alpha-2) of this merchant's orders that send none and pay with no saved card or Drop-in session.</summary>
    public string? Country { get; set; }
}

public sealed class VaultOptions
{
    public List<VaultKeyOptions> Keys { get; set; } = [];

    /// <summary>The key new cards are sealed with; may be omitted when exactly one key is configured.</summary>
    public string? ActiveKeyId { get; set; }

    /// <summary>Base64, 32 bytes: the HMAC key of card fingerprints. Empty: generated and kept in the database.</summary>
    public string? FingerprintKey { get; set; }
}

public sealed class VaultKeyOptions
{
    public string? Id { get; set; }

    /// <summary>Base64, 32 bytes (AES-256).</summary>
    public string? Key { get; set; }
}

public sealed class OrderOptions
{
    /// <summary>How often the background sweep settles orders left at the acquirer and closes expired PENDING orders.</summary>
    public TimeSpan ExpirySweepInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// An order sent to the acquirer and not finished this long after (a crash, a timeout) is settled by asking
    /// the acquirer what it decided. Must be longer than <see cref="AcquirerTimeout"/>.
    /// </summary>
    public TimeSpan RecoverAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long one authorization may take; after that the order stays PENDING and recovery settles it.</summary>
    public TimeSpan AcquirerTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class NotificationOptions
{
    /// <summary>Whether this process runs a dispatcher. Outbox rows are written either way; an API-only node may leave delivery to others.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>PayerMax's schedule: offsets of the attempts from the first one.</summary>
    public static readonly IReadOnlyList<TimeSpan> PayerMaxSchedule =
        [TimeSpan.Zero, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10), TimeSpan.FromHours(1), TimeSpan.FromHours(12)];

    /// <summary>Attempt offsets from the first attempt; empty means <see cref="PayerMaxSchedule"/>.</summary>
    public List<TimeSpan> Schedule { get; set; } = [];

    /// <summary>How long one attempt may take before it counts as failed.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Lets notify URLs reach loopback and private networks (local sandboxes and tests only).</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>How long a dispatcher owns claimed rows; a crashed dispatcher's rows are picked up after this.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often to look for rows written by other gateway processes.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public int BatchSize { get; set; } = 64;

    public int MaxConcurrency { get; set; } = 32;

    public IReadOnlyList<TimeSpan> EffectiveSchedule => Schedule.Count > 0 ? Schedule : PayerMaxSchedule;
}

public sealed class AdminOptions
{
    /// <summary>Required in the X-Admin-Key header of /admin requests; when empty, only loopback connections to a loopback host without cross-origin browser requests.</summary>
    public string? ApiKey { get; set; }
}

/// <summary><c>Gateway:Acquirers</c>: which acquirer decides each merchant's payments, and the account updater's pace.</summary>
public sealed class AcquirerOptions
{
    /// <summary>The acquirer of every merchant not named in <see cref="Merchants"/>: the built-in <c>Simulator</c> unless set.</summary>
    public string Default { get; set; } = TokenPay.Acquiring.Simulator.SimulatorRegistration.Name;

    /// <summary>merchantNo to acquirer name, for merchants whose payments another acquirer decides.</summary>
    public Dictionary<string, string> Merchants { get; set; } = [];

    /// <summary>How often each stored card is checked with its acquirer's account updater (new expiry, new number, closed); zero turns it off.</summary>
    public TimeSpan AccountUpdaterInterval { get; set; } = TimeSpan.FromDays(1);
}
