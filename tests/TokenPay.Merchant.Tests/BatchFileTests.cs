using TokenPay.Merchant.Payments;

namespace TokenPay.Merchant.Tests;

/// <summary>Batch files as people write them: RFC 4180 quoting, the real line of each problem, and why.</summary>
public sealed class BatchFileTests
{
    [Fact]
    public void QuotedFieldsAndBadLines_ReportedWithTheirFileLineAndReason()
    {
        var file = "userId,amount,currency,reason,chargeId\n"
            + "u1,5.00,USD,\"Top-up, monthly\",c1\n"
            + "\"u2\",five,USD,x,c2\n"
            + "u3,1.00,XXX,x,c3\n"
            + "\n"
            + "u4,\"1.00\",USD,\"two\nlines\",c4\n"
            + "u5,1,USD\n"
            + "u6,2.5,usd,\"say \"\"hi\"\"\",c6\n";

        var (charges, problems) = ChargeBatch.ReadCsv(new StringReader(file));

        charges.Select(c => (c.Line, c.Request.UserId, c.Request.Reason)).ShouldBe([(2, "u1", "Top-up, monthly"), (6, "u4", "two\nlines"), (9, "u6", "say \"hi\"")]);
        problems.Select(p => p.Line).ShouldBe([3, 4, 8]);
        problems[0].Reason.ShouldContain("five");
        problems[1].Reason.ShouldContain("XXX");
        problems[2].Reason.ShouldContain("expected 5 fields");
    }

    [Fact]
    public void UnclosedQuote_ReportedNotThrown()
    {
        var (_, problems) = ChargeBatch.ReadCsv(new StringReader("u1,5.00,USD,\"never closed,c1\n"));

        problems.ShouldHaveSingleItem().Reason.ShouldContain("quote");
    }
}
