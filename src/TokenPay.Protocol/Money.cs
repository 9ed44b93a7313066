using System.Collections.Frozen;

namespace TokenPay.Protocol;

/// <summary>
/// ISO 4217 currencies and the minor digits PayerMax accepts for each. Amounts travel as decimals in
/// major units and are stored as whole minor units, so both directions live here.
/// </summary>
public static class Currencies
{
    private const string Active =
        "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD " +
        "CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD " +
        "GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT " +
        "LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR " +
        "NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP " +
        "STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF " +
        "XPF YER ZAR ZMW ZWL";

    // ISO's zero-digit currencies plus IDR and COP, which PayerMax settles without minor units.
    private const string ZeroDigits = "BIF CLP COP DJF GNF IDR ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF";
    private const string ThreeDigits = "BHD IQD JOD KWD LYD OMR TND";

    private static readonly FrozenDictionary<string, int> MinorDigitsByCode = BuildTable();

    /// <summary>True for an active ISO 4217 code in upper case.</summary>
    public static bool IsKnown(string? code) => code is not null && MinorDigitsByCode.ContainsKey(code);

    /// <summary>The number of minor digits of a known currency.</summary>
    public static int MinorDigits(string code) => MinorDigitsByCode[code];

    /// <summary>
    /// Converts a major-unit amount to whole minor units; false when it is negative, has more decimals than
    /// the currency allows, or does not fit.
    /// </summary>
    public static bool TryToMinorUnits(decimal amount, string currency, out long minorUnits)
    {
        minorUnits = 0;
        if (amount < 0 || !MinorDigitsByCode.TryGetValue(currency, out var digits))
        {
            return false;
        }

        // Compared before scaling: amount * 10^digits overflows decimal near decimal.MaxValue.
        if (amount > long.MaxValue / Pow10(digits))
        {
            return false;
        }

        var scaled = amount * Pow10(digits);
        if (scaled != decimal.Truncate(scaled))
        {
            return false;
        }

        minorUnits = (long)scaled;
        return true;
    }

    /// <summary>Converts whole minor units back to a major-unit amount carrying the currency's scale (10.00 USD, 1000 JPY).</summary>
    public static decimal FromMinorUnits(long minorUnits, string currency)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minorUnits);
        var digits = (byte)MinorDigitsByCode[currency];
        return new decimal(unchecked((int)minorUnits), (int)(minorUnits >> 32), 0, isNegative: false, digits);
    }

    private static decimal Pow10(int digits) => digits switch { 0 => 1m, 2 => 100m, 3 => 1000m, _ => throw new ArgumentOutOfRangeException(nameof(digits)) };

    private static FrozenDictionary<string, int> BuildTable()
    {
        var zero = ZeroDigits.Split(' ').ToHashSet(StringComparer.Ordinal);
        var three = ThreeDigits.Split(' ').ToHashSet(StringComparer.Ordinal);
        return Active.Split(' ').ToFrozenDictionary(
            code => code,
            code => zero.Contains(code) ? 0 : three.Contains(code) ? 3 : 2,
            StringComparer.Ordinal);
    }
}

/// <summary>ISO 3166-1 alpha-2 country codes.</summary>
public static class Countries
{
    private const string Codes =
        "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
        "CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
        "GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP " +
        "KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT " +
        "MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW " +
        "SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG " +
        "UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

    private static readonly FrozenSet<string> Known = Codes.Split(' ').ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Every assigned code, in alphabetical order.</summary>
    public static IReadOnlyList<string> All { get; } = Codes.Split(' ');

    /// <summary>
    /// PayerMax's mark for a country nobody named yet (its own answers show <c>"country":"UN"</c> for an order
    /// placed without one). Never accepted as input: it is not an assigned code.
    /// </summary>
    public const string Unknown = "UN";

    /// <summary>True for an assigned ISO 3166-1 alpha-2 code in upper case.</summary>
    public static bool IsKnown(string? code) => code is not null && Known.Contains(code);
}
