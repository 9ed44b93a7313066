using System.Text;
using TokenPay.Client;
using TokenPay.Protocol.Signing;

namespace TokenPay.Client.Tests;

/// <summary>Notifications are verified over the raw bytes, whatever the sender's spacing, key order or escaping.</summary>
public class NotificationVerifierTests
{
    private static readonly PayerMaxNotificationVerifier Verifier = new(TestKeys.PlatformPublic);

    private static readonly string[] PaymentBodies =
    [
        """{"appId":"a","merchantNo":"m","keyVersion":"1","notifyTime":"2026-11-22T07:56:20.657+00:00","notifyType":"PAYMENT","code":"APPLY_SUCCESS","msg":"支付成功 ✓","data":{"outTradeNo":"o1","tradeToken":"T1","status":"SUCCESS","totalAmount":10.00,"currency":"USD","country":"US","reference":"café","paymentDetails":[]}}""",
        "{\n  \"data\" : { \"status\" : \"SUCCESS\", \"tradeToken\" : \"T1\", \"outTradeNo\" : \"o1\", \"totalAmount\" : \"10\", \"currency\" : \"USD\", \"country\" : \"US\" },\n  \"notifyType\" : \"PAYMENT\", \"code\" : \"APPLY_SUCCESS\", \"msg\" : \"\\u652f\\u4ed8\", \"appId\" : \"a\", \"merchantNo\" : \"m\", \"keyVersion\" : \"1\", \"notifyTime\" : \"2026-11-22T07:56:20Z\"\n}",
    ];

    public static TheoryData<string> Bodies => new(PaymentBodies);

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Verify_SignedRawBytes_ParsesPayment(string text)
    {
        var body = Encoding.UTF8.GetBytes(text);

        var result = Verifier.Verify(body, PlatformSign(body));

        result.IsValid.ShouldBeTrue(result.FailureReason);
        result.Notification!.Payment!.TradeToken.ShouldBe("T1");
        result.Notification.Payment.TotalAmount.ShouldBe(10m);
    }

    [Fact]
    public void Verify_RefundNotification_IsItsOwnKind()
    {
        var body = Encoding.UTF8.GetBytes("""{"appId":"a","merchantNo":"m","keyVersion":"1","notifyTime":"2026-11-22T07:56:20.657+00:00","notifyType":"REFUND","code":"APPLY_SUCCESS","msg":"Success.","data":{"outRefundNo":"r1","refundTradeNo":"R1","outTradeNo":"o1","refundAmount":2.50,"refundCurrency":"USD","status":"REFUND_SUCCESS","refundFinishTime":"2026-11-22T07:56:25.000+00:00"}}""");

        var result = Verifier.Verify(body, PlatformSign(body));

        result.IsValid.ShouldBeTrue(result.FailureReason);
        (result.Notification!.Payment, result.Notification.Tokenization).ShouldBe((null, null));
        var refund = result.Notification.Refund!;
        (refund.RefundTradeNo, refund.Status, refund.RefundAmount, refund.RefundFinishTime).ShouldBe(("R1", "REFUND_SUCCESS", 2.50m, "2026-11-22T07:56:25.000+00:00"));
    }

    [Fact]
    public void Verify_ReformattedAfterSigning_Refused()
    {
        var body = Encoding.UTF8.GetBytes(PaymentBodies[0]);
        var sign = PlatformSign(body);
        var respaced = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace("\":\"", "\": \"", StringComparison.Ordinal));

        Verifier.Verify(respaced, sign).IsValid.ShouldBeFalse();
    }

    [Fact]
    public void Verify_MissingOrForeignSignature_ReasonGiven()
    {
        var body = "{\"notifyType\":\"PAYMENT\"}"u8.ToArray();
        using var merchantKey = RsaKeys.ImportPrivateKey(TestKeys.MerchantPrivate);

        Verifier.Verify(body, null).FailureReason!.ShouldContain("missing");
        Verifier.Verify(body, PayerMaxSignature.Sign(merchantKey, body)).FailureReason!.ShouldContain("does not verify");
    }

    [Fact]
    public void Verify_SignedButNotANotification_Refused()
    {
        var body = "[1,2,3]"u8.ToArray();

        Verifier.Verify(body, PlatformSign(body)).IsValid.ShouldBeFalse();
    }

    private static string PlatformSign(byte[] body)
    {
        using var key = RsaKeys.ImportPrivateKey(TestKeys.PlatformPrivate);
        return PayerMaxSignature.Sign(key, body);
    }
}
