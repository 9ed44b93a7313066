using TokenPay.Gateway.Storage;
using TokenPay.Protocol;
using TokenPay.Storage;

namespace TokenPay.Gateway.Tests.StorageContracts;

/// <summary>Rows for the storage contracts, and the stores over one test database.</summary>
internal sealed class GatewayStores(RelationalDatabase database)
{
    public RelationalDatabase Database { get; } = database;
    public TokenStore Tokens { get; } = new(database);
    public OrderStore Orders => new(Database, Tokens);
    public VaultStore Vault { get; } = new(database);
    public DropinStore Dropin { get; } = new(database);
    public NotificationOutbox Outbox { get; } = new(database);
    public SettingsStore Settings { get; } = new(database);

    public static async Task<TestDatabase> CreateAsync(Engine engine) => await TestDatabase.CreateAsync(engine, GatewayStorage.Schema);

    public static OrderRecord Order(string outTradeNo, string? tradeToken = null, long createdAt = 1_000, long expiresAt = 1_000_000) => new()
    {
        TradeToken = tradeToken ?? "T" + Guid.NewGuid().ToString("N")[..25],
        MerchantNo = TestKeys.MerchantNo,
        AppId = TestKeys.AppId,
        OutTradeNo = outTradeNo,
        Integrate = Wire.DirectPayment,
        Subject = "subject",
        AmountMinor = 1_999,
        Currency = "USD",
        Country = "US",
        UserId = "u1",
        Status = OrderStatuses.Pending,
        CreatedAt = createdAt,
        ExpiresAt = expiresAt,
    };

    public static StoredCard Card(string fingerprint = "FP1") => new()
    {
        KeyId = "k1", Nonce = [1, 2], Ciphertext = [3, 4, 5], Tag = [6], Fingerprint = fingerprint, Brand = "VISA",
        Masked = "444433******1111", HolderMasked = "J*** D**", ExpiryMonth = 3, ExpiryYear = 2030,
    };

    /// <summary>A PENDING order with a vaulted card, ready to complete.</summary>
    public async Task<(long OrderId, long CardId)> InsertOrderWithCardAsync(string outTradeNo, string fingerprint = "FP1")
    {
        var inserted = await Orders.TryInsertAsync(Order(outTradeNo), Card(fingerprint), null, default);
        inserted.Outcome.ShouldBe(InsertOutcome.Inserted);
        return (inserted.OrderId, inserted.CardId!.Value);
    }

    public static OrderCompletion Success(long orderId, NewToken? bind = null, params NotificationDraft[] notifications) => new()
    {
        OrderId = orderId,
        Status = OrderStatuses.Success,
        ResultCode = "APPLY_SUCCESS",
        ResultMsg = "ok",
        CompletedAt = 2_000,
        AcquirerReference = "ref-1",
        Bind = bind,
        PaymentTokenId = bind?.PaymentTokenId,
        Notifications = notifications,
    };

    public static NewToken Bind(long cardId, string tokenId, string fingerprint = "FP1", string userId = "u1") =>
        new(tokenId, TestKeys.MerchantNo, userId, cardId, fingerprint, Wire.MitUnscheduled, 9_000_000, 1_500, "US", "NTI-1");

    public static NotificationDraft Draft(string type = "PAYMENT", string body = "{}") => new(type, "http://127.0.0.1:9/notify", System.Text.Encoding.UTF8.GetBytes(body));
}
