namespace TokenPay.Protocol;

/// <summary>Card number rules: Luhn, brand by prefix, and the only forms a card number may be shown in.</summary>
public static class Cards
{
    /// <summary>The first instant (UTC) after a card's expiry month: the exclusive end of its validity.</summary>
    public static DateTimeOffset ValidUntil(int expiryMonth, int expiryYear) => new DateTimeOffset(expiryYear, expiryMonth, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);

    /// <summary>True for 12 to 19 ASCII digits passing the Luhn check.</summary>
    public static bool IsValidPan(ReadOnlySpan<char> pan)
    {
        if (pan.Length is < 12 or > 19)
        {
            return false;
        }

        var sum = 0;
        var doubleIt = false;
        for (var i = pan.Length - 1; i >= 0; i--)
        {
            var c = pan[i];
            if (c is < '0' or > '9')
            {
                return false;
            }

            var digit = c - '0';
            if (doubleIt)
            {
                digit *= 2;
                if (digit > 9)
                {
                    digit -= 9;
                }
            }

            sum += digit;
            doubleIt = !doubleIt;
        }

        return sum % 10 == 0;
    }

    /// <summary>Brand by prefix: 4 VISA, 51-55 and 2221-2720 MASTERCARD, 34/37 AMEX, 35 JCB, 62 UNIONPAY.</summary>
    public static string Brand(ReadOnlySpan<char> pan)
    {
        if (pan.Length < 4)
        {
            return "UNKNOWN";
        }

        var two = ((pan[0] - '0') * 10) + (pan[1] - '0');
        var four = (two * 100) + ((pan[2] - '0') * 10) + (pan[3] - '0');
        return pan[0] switch
        {
            '4' => "VISA",
            _ when two is >= 51 and <= 55 || four is >= 2221 and <= 2720 => "MASTERCARD",
            _ when two is 34 or 37 => "AMEX",
            _ when two == 35 => "JCB",
            _ when two == 62 => "UNIONPAY",
            _ => "UNKNOWN",
        };
    }

    /// <summary>First 6 and last 4 digits with the middle starred, length kept: <c>455701******1010</c>.</summary>
    public static string Mask(ReadOnlySpan<char> pan)
    {
        if (pan.Length < 11)
        {
            return new string('*', pan.Length);
        }

        return string.Concat(pan[..6], new string('*', pan.Length - 10), pan[^4..]);
    }

    /// <summary>A holder name reduced to initials: <c>J**** S****</c>.</summary>
    public static string MaskName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return string.Empty;
        }

        var parts = name.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return string.Join(' ', parts.Select(p => p[0] + new string('*', Math.Max(p.Length - 1, 1))));
    }
}
