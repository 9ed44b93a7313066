using System.Text;
using Microsoft.Extensions.DependencyInjection;
using TokenPay.Client;
using TokenPay.Protocol;
using TokenPay.Protocol.Models;

namespace TokenPay.Client.Tests;

/// <summary>Every API call through the SDK against a real gateway on 127.0.0.1.</summary>
public sealed class ClientAgainstGatewayTests : IAsyncLifetime
{
    private static readonly CardInfo Visa = new() { CardIdentifierNo = "4444333322221111", CardHolderFullName = "Ada Lovelace", CardExpirationMonth = "12", CardExpirationYear = "30", Cvv = "123" };
    private static readonly BuyerInfo Buyer = new() { ClientIp = "203.0.113.9", UserAgent = "TokenPay.Client.Tests" };

    private GatewayHost _host = null!;
    private PayerMaxClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await GatewayHost.StartAsync();
        _client = ClientFactory.For(_host);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task TokenAndMitStory_EveryCallThroughTheSdk()
    {
        var user = "sdk_user_1";
        var bind = await _client.OrderAndPayAsync(PaymentRequests.CardPaymentAndSave(Order("sdk_bind", 12.34m, user), Visa, Buyer, MitType.Unscheduled));
        bind.IsSuccess.ShouldBeTrue();
        bind.IsSigned.ShouldBeTrue();
        bind.Data!.Status.ShouldBe(OrderStatuses.Success);

        var query = await _client.OrderQueryAsync(new() { OutTradeNo = "sdk_bind" });
        query.Data!.TotalAmount.ShouldBe(12.34m);
        var tokenId = query.Data.PaymentDetails[0].PaymentTokenId!;

        var tokens = await _client.InquirePaymentTokenAsync(new InquirePaymentTokenRequest { UserId = user, TokenScope = Wire.TokenScopeMit });
        tokens.Data!.TokenList.Single().PaymentTokenId.ShouldBe(tokenId);
        tokens.Data.TokenList[0].CardInfo.ShouldBe("444433******1111");
        // PayerMax documents tokenScope as fixed: a request that leaves it out asks for tokenAcq.
        var all = await _client.InquirePaymentTokenAsync(new InquirePaymentTokenRequest { UserId = user });
        (all.Code, all.Data!.TokenList.Single().TokenScope).ShouldBe((ResultCodes.ApplySuccess, Wire.TokenScopeAcquiring));

        var mit = await _client.OrderAndPayAsync(PaymentRequests.UnscheduledMit(Order("sdk_mit", 5m, user), tokenId, Buyer));
        mit.Data!.Status.ShouldBe(OrderStatuses.Success);

        var removed = await _client.RemovePaymentTokenAsync(new RemovePaymentTokenRequest { UserId = user, PaymentTokenId = tokenId });
        removed.Data!.PaymentTokenStatus.ShouldBe(TokenStatuses.Deleted);

        var refused = await _client.OrderAndPayAsync(PaymentRequests.UnscheduledMit(Order("sdk_mit2", 5m, user), tokenId, Buyer));
        refused.IsSuccess.ShouldBeFalse();
        refused.Code.ShouldBe(ResultCodes.TokenInvalid);
        refused.IsSigned.ShouldBeTrue();
    }

    [Fact]
    public async Task BuildersForEachMode_AreAcceptedByTheGateway()
    {
        var user = "sdk_user_2";
        (await _client.OrderAndPayAsync(PaymentRequests.CardPayment(Order("m_a", 1m, user), Visa, Buyer))).Data!.Status.ShouldBe(OrderStatuses.Success);
        (await _client.OrderAndPayAsync(PaymentRequests.SaveCardOnly(Order("m_b0", 99m, user), Visa, Buyer, MitType.Scheduled))).Data!.Status.ShouldBe(OrderStatuses.Success);
        var token = (await _client.OrderQueryAsync(new() { OutTradeNo = "m_b0" })).Data!.PaymentDetails[0].PaymentTokenId!;
        (await _client.OrderQueryAsync(new() { OutTradeNo = "m_b0" })).Data!.TotalAmount.ShouldBe(0m);
        (await _client.OrderAndPayAsync(PaymentRequests.TokenPayment(Order("m_c", 2m, user), token, Buyer))).Data!.Status.ShouldBe(OrderStatuses.Success);
        (await _client.OrderAndPayAsync(PaymentRequests.ScheduledMit(Order("m_d", 3m, user), token, Buyer))).Data!.Status.ShouldBe(OrderStatuses.Success);
    }

    [Fact]
    public async Task DeclineAndRefusal_AreResultsNotExceptions()
    {
        var declined = await _client.OrderAndPayAsync(PaymentRequests.CardPayment(Order("sdk_decl", 1m, "u"), Visa with { CardIdentifierNo = "4000000000009995" }, Buyer));
        var repeat = await _client.OrderAndPayAsync(PaymentRequests.CardPayment(Order("sdk_decl", 1m, "u"), Visa, Buyer));
        var missing = await _client.OrderQueryAsync(new() { OutTradeNo = "never_there" });

        declined.IsSuccess.ShouldBeTrue();
        declined.Data!.Status.ShouldBe(OrderStatuses.Failed);
        declined.Data.ResultCode.ShouldBe(ResultCodes.BalanceInsufficient);
        declined.Data.DeclineAdvice.ShouldBe(new DeclineAdviceView { Category = NetworkAdvice.IssuerCannotApproveNow, DoNotRetry = false });
        (await _client.OrderQueryAsync(new() { OutTradeNo = "sdk_decl" })).Data!.DeclineAdvice.ShouldBe(declined.Data.DeclineAdvice);
        repeat.Code.ShouldBe(ResultCodes.OrderRepeat);
        missing.Code.ShouldBe(ResultCodes.OrderNotExist);
    }

    [Fact]
    public async Task AnMitDeclinedWithRetryAdvice_ReadsAsTypedAdvice_AndTheStoringPaymentShowsItsNetworkId()
    {
        var user = "sdk_user_advice";
        await _client.OrderAndPayAsync(PaymentRequests.CardPaymentAndSave(Order("sdk_adv_bind", 1m, user), Visa with { CardIdentifierNo = "4000000000000309" }, Buyer, MitType.Unscheduled));
        var stored = (await _client.OrderQueryAsync(new() { OutTradeNo = "sdk_adv_bind" })).Data!;

        var mit = await _client.OrderAndPayAsync(PaymentRequests.UnscheduledMit(Order("sdk_adv_mit", 5m, user), stored.PaymentDetails[0].PaymentTokenId!, Buyer));

        stored.ThirdChannelNo.ShouldNotBeNull().Length.ShouldBe(15);
        mit.Data!.Status.ShouldBe(OrderStatuses.Failed);
        (mit.Data.DeclineAdvice!.Category, mit.Data.DeclineAdvice.MerchantAdviceCode, mit.Data.DeclineAdvice.DoNotRetry).ShouldBe((2, "30", false));
        NetworkAdvice.RetryDelay(mit.Data.DeclineAdvice.MerchantAdviceCode).ShouldBe(TimeSpan.FromDays(10));
        mit.Data.DeclineAdvice.RetryAfter.ShouldNotBeNull();
    }

    [Fact]
    public async Task TamperedAnswer_ThrowsSignatureException()
    {
        var client = ClientFactory.For(_host, http => http.AddHttpMessageHandler(() =>
            new TamperingHandler(body => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace("FAILED", "SUCCESS", StringComparison.Ordinal)))));

        var ex = await Should.ThrowAsync<PayerMaxSignatureException>(() =>
            client.OrderAndPayAsync(PaymentRequests.CardPayment(Order("sdk_tamper", 1m, "u"), Visa with { CardIdentifierNo = "4000000000000002" }, Buyer)));

        ex.Api.ShouldBe("orderAndPay");
        ex.IsRetrySafe.ShouldBeFalse();
        ex.Message.ShouldContain("query it by outTradeNo");
    }

    [Fact]
    public async Task UnsignedSuccess_ThrowsButUnsignedRefusalIsAResult()
    {
        var client = ClientFactory.For(_host, http => http.AddHttpMessageHandler(() => new TamperingHandler(body => body, dropSign: true)));

        await Should.ThrowAsync<PayerMaxSignatureException>(() => client.OrderAndPayAsync(PaymentRequests.CardPayment(Order("sdk_unsigned", 1m, "u"), Visa, Buyer)));
        var refusal = await client.OrderQueryAsync(new() { OutTradeNo = "does_not_exist" });

        refusal.Code.ShouldBe(ResultCodes.OrderNotExist);
        refusal.IsSigned.ShouldBeFalse();
    }

    [Fact]
    public void Secrets_NeverInExceptionOrResultText()
    {
        var options = new PayerMaxClientOptions { Environment = PayerMaxEnvironment.Custom, BaseUrl = new Uri("http://127.0.0.1:1/"), AppId = "a", MerchantNo = "m", MerchantPrivateKey = "bm90LWEta2V5LWJ1dC1zZWNyZXQ=", PlatformPublicKey = TestKeys.PlatformPublic };

        var ex = Should.Throw<Microsoft.Extensions.Options.OptionsValidationException>(() => new PayerMaxCredentials(options));

        ex.Message.ShouldContain("MerchantPrivateKey");
        ex.Message.ShouldNotContain("bm90LWEta2V5");
    }

    [Fact]
    public async Task Refunds_PartialThenTheRest_QueriedByEitherNumber_AndARefusalIsAResult()
    {
        (await _client.OrderAndPayAsync(PaymentRequests.CardPayment(Order("sdk_paid", 20m, "sdk_user_r"), Visa, Buyer))).Data!.Status.ShouldBe(OrderStatuses.Success);

        var paid = (await _client.OrderQueryAsync(new() { OutTradeNo = "sdk_paid" })).Data!;
        var part = await _client.RefundAsync(RefundRequests.Partial("sdk_rf_1", paid, 7.5m, "Late delivery"));
        var order = (await _client.OrderQueryAsync(new() { OutTradeNo = "sdk_paid" })).Data!;
        var rest = await _client.RefundAsync(RefundRequests.Full("sdk_rf_2", order));
        var over = await _client.RefundAsync(RefundRequests.Partial("sdk_rf_3", order, 0.01m));

        (part.IsSuccess, part.IsSigned, part.Data!.Status).ShouldBe((true, true, RefundStatuses.Pending));
        order.RefundedAmount.ShouldBe(7.5m);
        (await _client.RefundQueryAsync(new() { OutRefundNo = "sdk_rf_2" })).Data!.RefundAmount.ShouldBe(12.5m);
        (await _client.RefundQueryAsync(new() { RefundTradeNo = part.Data.RefundTradeNo })).Data!.OutRefundNo.ShouldBe("sdk_rf_1");
        (over.IsSuccess, over.Code).ShouldBe((false, ResultCodes.RefundAmountExceeded));
        (await _client.RefundQueryAsync(new() { OutRefundNo = "sdk_rf_3" })).Code.ShouldBe(ResultCodes.RefundNotExist);
        rest.Data!.TradeOrderNo.ShouldBe(order.TradeToken);
    }

    [Fact]
    public async Task ApplyPaymentToken_SavesACardWithoutPaying_AndTheInquiryAgrees()
    {
        var applied = await _client.ApplyPaymentTokenAsync(new ApplyPaymentTokenRequest
        {
            RequestId = "sdk_apply_1", UserId = "sdk_user_a", Country = "US",
            MitType = "UNSCHEDULE", CardInfo = Visa with { CardOrg = "VISA" }, FrontCallbackUrl = "https://shop.example/saved",
            EnvInfo = new EnvInfo { ClientIp = "203.0.113.9", UserAgent = "TokenPay.Client.Tests" },
        });

        (applied.IsSuccess, applied.IsSigned, applied.Data!.Status).ShouldBe((true, true, OrderStatuses.Success));
        var inquired = await _client.InquireApplyRequestAsync(new() { UserId = "sdk_user_a", RequestId = "sdk_apply_1" });
        inquired.Data!.PaymentTokenId.ShouldBe(applied.Data.PaymentTokenId);
        (await _client.InquireApplyRequestAsync(new() { UserId = "sdk_user_b", RequestId = "sdk_apply_1" })).Code.ShouldBe(ResultCodes.OrderNotExist);
        var mit = await _client.OrderAndPayAsync(PaymentRequests.UnscheduledMit(Order("sdk_apply_mit", 3m, "sdk_user_a"), applied.Data.PaymentTokenId!, Buyer));
        mit.Data!.Status.ShouldBe(OrderStatuses.Success);
    }

    private static OrderDetails Order(string outTradeNo, decimal amount, string user) =>
        new(outTradeNo, "SDK test", amount, "USD", "US", user) { FrontCallbackUrl = "https://shop.example/back" };
}
