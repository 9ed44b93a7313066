namespace TokenPay.Protocol.Tests;

public class RulesTests
{
    [Theory]
    [InlineData("10", "USD", 1000)]
    [InlineData("74.99", "USD", 7499)]
    [InlineData("0", "USD", 0)]
    [InlineData("1000", "JPY", 1000)]
    [InlineData("1.234", "KWD", 1234)]
    public void TryToMinorUnits_AllowedScale_Converts(string amount, string currency, long expected)
    {
        Currencies.TryToMinorUnits(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), currency, out var minor).ShouldBeTrue();
        minor.ShouldBe(expected);
    }

    [Theory]
    [InlineData("10.001", "USD")]
    [InlineData("10.5", "JPY")]
    [InlineData("1.2345", "KWD")]
    [InlineData("-1", "USD")]
    [InlineData("10", "XXX")]
    public void TryToMinorUnits_TooManyDecimalsNegativeOrUnknown_Refuses(string amount, string currency)
    {
        Currencies.TryToMinorUnits(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), currency, out _).ShouldBeFalse();
    }

    [Fact]
    public void FromMinorUnits_KeepsCurrencyScale()
    {
        Currencies.FromMinorUnits(1000, "USD").ToString(System.Globalization.CultureInfo.InvariantCulture).ShouldBe("10.00");
        Currencies.FromMinorUnits(1000, "JPY").ToString(System.Globalization.CultureInfo.InvariantCulture).ShouldBe("1000");
        Currencies.FromMinorUnits(1234, "KWD").ToString(System.Globalization.CultureInfo.InvariantCulture).ShouldBe("1.234");
    }

    [Theory]
    [InlineData("4444333322221111", true)]
    [InlineData("378282246310005", true)]
    [InlineData("4444333322221112", false)]
    [InlineData("44443333222211a1", false)]
    [InlineData("42424242424", false)]
    public void IsValidPan_Luhn(string pan, bool valid) => Cards.IsValidPan(pan).ShouldBe(valid);

    [Theory]
    [InlineData("4444333322221111", "VISA")]
    [InlineData("5555555555554444", "MASTERCARD")]
    [InlineData("2221000000000009", "MASTERCARD")]
    [InlineData("378282246310005", "AMEX")]
    [InlineData("3530111333300000", "JCB")]
    [InlineData("6200000000000005", "UNIONPAY")]
    public void Brand_ByPrefix(string pan, string brand) => Cards.Brand(pan).ShouldBe(brand);

    [Fact]
    public void Mask_KeepsFirstSixLastFour() => Cards.Mask("4557011234561010").ShouldBe("455701******1010");

    [Theory]
    [InlineData("2026-11-22T07:56:20.657+00:00")]
    [InlineData("2026-11-22T07:56:20.657Z")]
    [InlineData("2026-11-22T07:56:20.38Z")]
    [InlineData("2026-11-22T07:56:20Z")]
    [InlineData("2026-11-22T15:56:20.657+08:00")]
    public void TryParse_ClientRequestTimes_Accepted(string text)
    {
        PayerMaxTime.TryParse(text, out var value).ShouldBeTrue();
        value.UtcDateTime.Date.ShouldBe(new DateTime(2026, 11, 22));
    }

    [Theory]
    [InlineData("2026-11-22T07:56:20")]
    [InlineData("2026-11-22 07:56:20Z")]
    [InlineData("yesterday")]
    [InlineData("2026-11-22T07:56:20.6571Z")]
    public void TryParse_NoOffsetOrMalformed_Refused(string text) => PayerMaxTime.TryParse(text, out _).ShouldBeFalse();
}
