using System.Reflection;
using System.Runtime.CompilerServices;
using TokenPay.Protocol.Models;

namespace TokenPay.Client.Tests;

/// <summary>The SDK has one shape, so it need not be guessed: every operation takes its request type, whose protocol-required fields are required members.</summary>
public sealed class ShapeTests
{
    [Fact]
    public void EveryOperation_TakesItsRequestTypeAndACancellationToken()
    {
        var operations = typeof(PayerMaxClient).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly);

        operations.Select(m => m.Name).Order().ShouldBe(
        [
            "ApplyDropinSessionAsync", "ApplyPaymentTokenAsync", "CaseListAsync", "CaseReplayAsync", "CaseSearchAsync", "InquireApplyRequestAsync", "InquirePaymentTokenAsync",
            "OrderAndPayAsync", "OrderQueryAsync", "RefundAsync", "RefundQueryAsync", "RemovePaymentTokenAsync",
        ]);
        foreach (var operation in operations)
        {
            var parameters = operation.GetParameters();
            parameters.Length.ShouldBe(2, operation.Name);
            parameters[0].ParameterType.Name.ShouldBe(operation.Name[..^"Async".Length] + "Request", operation.Name);
            parameters[1].ParameterType.ShouldBe(typeof(CancellationToken), operation.Name);
        }
    }

    [Theory]
    [InlineData(typeof(OrderQueryRequest), "OutTradeNo")]
    [InlineData(typeof(InquirePaymentTokenRequest), "UserId")]
    [InlineData(typeof(RemovePaymentTokenRequest), "UserId,PaymentTokenId")]
    [InlineData(typeof(ApplyDropinSessionRequest), "UserId,Currency,Country")]
    [InlineData(typeof(RefundRequest), "OutRefundNo,RefundAmount,RefundCurrency")]
    [InlineData(typeof(ApplyPaymentTokenRequest), "RequestId,UserId,Country,CardInfo,FrontCallbackUrl")]
    [InlineData(typeof(InquireApplyRequestRequest), "UserId,RequestId")]
    [InlineData(typeof(CaseSearchRequest), "CaseId")]
    [InlineData(typeof(CaseReplayRequest), "OutUserId,ResponseContent,RepresentmentFile")]
    [InlineData(typeof(CaseListRequest), "")]
    public void RequiredProtocolFields_AreRequiredMembers(Type request, string fields)
    {
        var required = request.GetProperties().Where(p => p.IsDefined(typeof(RequiredMemberAttribute))).Select(p => p.Name);

        required.ShouldBe(fields.Split(',', StringSplitOptions.RemoveEmptyEntries), ignoreOrder: true);
    }

    [Fact]
    public async Task QueriesNamingNothing_AreRefusedBeforeSending()
    {
        var client = ClientFactory.For(new Uri("http://127.0.0.1:9/"), TimeProvider.System);

        (await Should.ThrowAsync<ArgumentException>(() => client.RefundQueryAsync(new RefundQueryRequest()))).Message.ShouldContain("outRefundNo or refundTradeNo");
        (await Should.ThrowAsync<ArgumentException>(() => client.RefundAsync(new RefundRequest { OutRefundNo = "r1", RefundAmount = 1m, RefundCurrency = "USD" })))
            .Message.ShouldContain("outTradeNo or tradeToken");
    }
}
