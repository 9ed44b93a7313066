using TokenPay.Protocol;

namespace TokenPay.Gateway.Tests;

/// <summary>A merchant never sees or touches another merchant's orders or tokens; a user's token is invisible to other users.</summary>
public class IsolationTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task OtherMerchant_CannotSeeOrUseOrRemove()
    {
        var user = GatewayFixture.NewId("u");
        var order = GatewayFixture.NewId("iso");
        await Host.Merchant.PostAsync("orderAndPay", OrderRequests.Bind(order, user));
        var token = (await Host.Merchant.QueryAsync(order)).Data.GetProperty("paymentDetails")[0].GetProperty("paymentTokenID").GetString()!;
        var other = Host.OtherMerchant;

        (await other.QueryAsync(order)).Code.ShouldBe(ResultCodes.OrderNotExist);
        (await other.InquireTokensAsync(user)).Data.GetProperty("tokenList").GetArrayLength().ShouldBe(0);
        (await other.PostAsync("orderAndPay", OrderRequests.Mit(GatewayFixture.NewId("steal"), user, token))).Code.ShouldBe(ResultCodes.TokenNotExist);
        (await other.RemoveTokenAsync(user, token)).Code.ShouldBe(ResultCodes.TokenNotExist);

        // outTradeNo is unique per merchant: the other merchant may use the same number.
        (await other.PostAsync("orderAndPay", OrderRequests.Card(order, user))).Code.ShouldBe(ResultCodes.ApplySuccess);
        var mine = await Host.Merchant.InquireTokensAsync(user);
        mine.Data.GetProperty("tokenList")[0].GetProperty("paymentTokenStatus").GetString().ShouldBe(TokenStatuses.Activated);
    }

    [Fact]
    public async Task OtherUser_CannotSeeOrUseOrRemove()
    {
        var owner = GatewayFixture.NewId("u");
        var stranger = GatewayFixture.NewId("u");
        var order = GatewayFixture.NewId("iso");
        await Host.Merchant.PostAsync("orderAndPay", OrderRequests.Bind(order, owner));
        var token = (await Host.Merchant.QueryAsync(order)).Data.GetProperty("paymentDetails")[0].GetProperty("paymentTokenID").GetString()!;

        (await Host.Merchant.InquireTokensAsync(stranger)).Data.GetProperty("tokenList").GetArrayLength().ShouldBe(0);
        (await Host.Merchant.PostAsync("orderAndPay", OrderRequests.Mit(GatewayFixture.NewId("m"), stranger, token))).Code.ShouldBe(ResultCodes.TokenUserMismatch);
        (await Host.Merchant.RemoveTokenAsync(stranger, token)).Code.ShouldBe(ResultCodes.TokenNotExist);
        (await Host.Merchant.InquireTokensAsync(owner)).Data.GetProperty("tokenList")[0].GetProperty("paymentTokenStatus").GetString().ShouldBe(TokenStatuses.Activated);
    }
}
