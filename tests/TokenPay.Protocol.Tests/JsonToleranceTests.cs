using System.Text.Json;
using TokenPay.Protocol.Json;
using TokenPay.Protocol.Models;

namespace TokenPay.Protocol.Tests;

public class JsonToleranceTests
{
    [Fact]
    public void Deserialize_VectorRequest_ReadsStringAmountAndNestedCard()
    {
        var body = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Vectors", "request-body.json"));

        var envelope = JsonSerializer.Deserialize<RequestEnvelope<OrderAndPayRequest>>(body, PayerMaxJson.Options)!;

        envelope.Data.TotalAmount.ShouldBe(74.99m);
        envelope.Data.PaymentDetail!.CardInfo!.CardExpirationMonth.ShouldBe("03");
        envelope.Data.PaymentDetail.TokenForFutureUse.ShouldBe(true);
        envelope.Data.PaymentDetail.MitType.ShouldBe("UNSCHEDULED");
    }

    [Fact]
    public void Deserialize_OtherCasingNumbersAsStringsUnknownFields_Tolerated()
    {
        const string json = """
            {"OUTTRADENO":"a1","frontCallbackURL":"https://x/r","expireTime":"3600","totalAmount":5,
             "unknown":{"deep":[1,2]},"paymentDetail":{"paymentTokenId":"PM1","merchantInitiated":"true",
             "cardInfo":{"cardExpirationMonth":3}}}
            """;

        var request = JsonSerializer.Deserialize<OrderAndPayRequest>(json, PayerMaxJson.Options)!;

        request.OutTradeNo.ShouldBe("a1");
        request.FrontCallbackUrl.ShouldBe("https://x/r");
        request.ExpireTime.ShouldBe(3600);
        request.TotalAmount.ShouldBe(5m);
        request.PaymentDetail!.PaymentTokenId.ShouldBe("PM1");
        request.PaymentDetail.MerchantInitiated.ShouldBe(true);
        request.PaymentDetail.CardInfo!.CardExpirationMonth.ShouldBe("3");
    }

    [Fact]
    public void Serialize_Response_WritesWireNamesAndRawUtf8()
    {
        var response = new ApiResponse<PaymentDetailView>
        {
            Code = ResultCodes.ApplySuccess,
            Msg = "Café ✓",
            Data = new PaymentDetailView { PaymentMethodType = "CARD", PaymentTokenId = "PM1", PayAmount = 10.00m, PayCurrency = "USD" },
        };

        var json = JsonSerializer.Serialize(response, PayerMaxJson.Options);

        json.ShouldBe("""{"code":"APPLY_SUCCESS","msg":"Café ✓","data":{"paymentMethodType":"CARD","paymentTokenID":"PM1","payAmount":10.00,"payCurrency":"USD"}}""");
    }

    [Fact]
    public void CardInfo_ToString_NeverShowsPanOrCvv()
    {
        var card = new CardInfo { CardIdentifierNo = "4444333322221111", Cvv = "123" };

        card.ToString().ShouldNotContain("4444333322221111");
        card.ToString().ShouldNotContain("123");
        card.ToString().ShouldContain("444433******1111");
    }
}
