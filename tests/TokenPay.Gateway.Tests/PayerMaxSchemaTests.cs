using System.Text.Json.Nodes;
using TokenPay.Testing.PayerMaxSchema;

namespace TokenPay.Gateway.Tests;

/// <summary>
/// The schema fixture every answer and notification of these tests is checked against (MerchantClient and
/// NotificationReceiver run it): that it is PayerMax's published structure, and that a violation names its place.
/// </summary>
public sealed class PayerMaxSchemaTests
{
    [WithPayerMaxDescriptionFact]
    public void Fixture_IsTheStructureOfTheOpenApiDescription()
    {
        var openApi = PayerMaxSchemaGenerator.FindOpenApiFile()!;
        var generated = PayerMaxSchemaGenerator.Generate(File.ReadAllText(openApi));
        if (Environment.GetEnvironmentVariable("TOKENPAY_REGENERATE_SCHEMA") == "1")
        {
            var folder = PayerMaxSchemaGenerator.SourceFolder();
            foreach (var stale in Directory.GetFiles(folder, "*.json"))
            {
                File.Delete(stale);
            }

            foreach (var (name, text) in generated)
            {
                File.WriteAllText(Path.Combine(folder, name), text);
            }

            return;
        }

        PayerMaxSchemas.Files().ShouldBe(generated, ignoreOrder: true, "tests/TokenPay.Testing/PayerMaxSchema is stale: run this test with TOKENPAY_REGENERATE_SCHEMA=1");
    }

    [Fact]
    public void Violation_NamesOperationPathAndRule()
    {
        var body = JsonNode.Parse("""
            {"code":"APPLY_SUCCESS","msg":"Success.","keyVersion":"1","merchantNo":"M1","notifyTime":"2026-11-22T07:56:20.657+00:00","notifyType":"REFUND",
             "data":{"outRefundNo":"r1","refundTradeNo":"t1","refundAmount":"1.00","refundCurrency":"USDX","status":"REFUND_PENDING","outTradeNo":"o1"}}
            """)!;

        var violations = PayerMaxSchemas.Violations("RefundResultNotifyUrl", body);

        violations.ShouldBe([
            "RefundResultNotifyUrl: $.data.refundFinishTime is required but absent (required)",
            "RefundResultNotifyUrl: $.data.refundAmount: Value is \"string\" but should be \"number\" (type)",
            "RefundResultNotifyUrl: $.data.refundCurrency: Value should be at most 3 characters (maxLength)",
            "RefundResultNotifyUrl: $.data.status: Value should match one of the values specified by the enum (enum)",
        ], ignoreOrder: true);
    }

    [Fact]
    public void Fitting_Body_HasNoViolations()
    {
        var body = JsonNode.Parse("""{"code":"APPLY_SUCCESS","msg":"Success.","data":{"userId":"u1","paymentTokenID":"PMTOKEN1","paymentTokenStatus":"Deleted"}}""")!;

        PayerMaxSchemas.Violations("removePaymentToken", body).ShouldBeEmpty();
    }
}

/// <summary>
/// A test that compares with PayerMax's description (shared/spec beside the repository, not part of it: only its
/// structure may be kept here); skipped, with the reason, where a clone has nothing beside it.
/// </summary>
public sealed class WithPayerMaxDescriptionFactAttribute : FactAttribute
{
    public WithPayerMaxDescriptionFactAttribute()
    {
        if (PayerMaxSchemaGenerator.FindOpenApiFile() is null)
        {
            Skip = "shared/spec/payermax-openapi-subset.json is not beside this clone: nothing to compare the committed fixture with.";
        }
    }
}
