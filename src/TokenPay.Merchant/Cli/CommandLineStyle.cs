using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;
using Spectre.Console;

namespace TokenPay.Merchant.Cli;

/// <summary>
/// What the merchant's and the sandbox's command lines share: help that shows the command as a person types it,
/// durations such as <c>5s</c>, and plain unwrapped output when it goes to a pipe or a file.
/// </summary>
public static class CommandLineStyle
{
    // Wide enough that no token id, URL or table row is cut; a pipe has no width.
    private const int PipeWidth = 4096;

    /// <summary>How this process was started: the installed tool <c>tokenpay</c>, or the project run from the repository.</summary>
    public static string Invocation(string project)
    {
        // A global tool runs through a `tokenpay` shim; a local tool runs from the package's folder (tokenpay.tool).
        var tool = Path.GetFileNameWithoutExtension(Environment.ProcessPath) is "tokenpay"
            || AppContext.BaseDirectory.Contains("tokenpay.tool", StringComparison.OrdinalIgnoreCase);
        return tool ? "tokenpay" : $"dotnet run --project {project} --";
    }

    /// <summary>Help writes "Usage: {invocation} charge [options]" instead of the executable's file name, unwrapped in a pipe.</summary>
    public static void UseInvocation(RootCommand root, string invocation)
    {
        foreach (var help in root.Options.OfType<HelpOption>())
        {
            if (help.Action is HelpAction action)
            {
                action.MaxWidth = Console.IsOutputRedirected ? PipeWidth : action.MaxWidth;
                help.Action = new InvocationHelp(action, invocation);
            }
        }
    }

    // System.CommandLine names the executable file (TokenPay.Sandbox, or tokenpay for `tokenpay merchant charge`);
    // its help builder is internal, so the usage line of the text it writes is put right.
    private sealed class InvocationHelp(HelpAction help, string invocation) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            var configuration = parseResult.InvocationConfiguration;
            var output = configuration.Output;
            using var text = new StringWriter(CultureInfo.InvariantCulture);
            configuration.Output = text;
            try
            {
                help.Invoke(parseResult);
            }
            finally
            {
                configuration.Output = output;
            }

            var lines = text.ToString().Split('\n');
            var usage = Array.FindIndex(lines, line => line.TrimEnd() == "Usage:");
            // The usage line starts with the executable's name: the file's, or the tool's command name from the runtime configuration.
            if (usage >= 0 && usage + 1 < lines.Length && lines[usage + 1].TrimStart().Split(' ')[0] is { Length: > 0 } executable)
            {
                lines[usage + 1] = $"  {invocation}{lines[usage + 1].TrimStart()[executable.Length..]}";
            }

            output.Write(string.Join('\n', lines));
            return 0;
        }
    }

    /// <summary>Spectre writes no colour codes and does not wrap when the output is not a terminal.</summary>
    public static void PlainWhenRedirected()
    {
        if (!Console.IsOutputRedirected)
        {
            return;
        }

        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(Console.Out),
        });
        AnsiConsole.Console.Profile.Width = PipeWidth;
    }

    /// <summary>A duration option such as <c>--for 5s</c>: 500ms, 5s, 2m, 6h, 7d, or hh:mm:ss.</summary>
    public static Option<TimeSpan?> DurationOption(string name, string description) => new(name)
    {
        Description = $"{description} (a duration such as 30s, 5m, 2h, 7d or 00:05:00)",
        CustomParser = result => ParseDuration(result, name),
    };

    /// <summary>A duration argument such as <c>advance 6h</c>; anything else is a usage error naming <paramref name="field"/>.</summary>
    public static Argument<TimeSpan?> DurationArgument(string name, string field, string description) => new(name)
    {
        Description = $"{description}: a duration such as 30m, 6h, 7d, 06:00:00 or 7.00:00:00.",
        // Required, though its type is nullable (what the parser returns for a bad value).
        Arity = ArgumentArity.ExactlyOne,
        CustomParser = result => ParseDuration(result, field),
    };

    /// <summary>Reads 500ms, 5s, 2m, 6h, 7d, 1.5h or a .NET TimeSpan (00:05:00, 7.00:00:00); null when it is none of these.</summary>
    public static TimeSpan? TryParseDuration(string text)
    {
        text = text.Trim();
        var (unit, number) = text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) ? (TimeSpan.FromMilliseconds(1), text[..^2])
            : text.Length > 1 && char.ToLowerInvariant(text[^1]) switch { 's' or 'm' or 'h' or 'd' => true, _ => false }
                ? (char.ToLowerInvariant(text[^1]) switch { 's' => TimeSpan.FromSeconds(1), 'm' => TimeSpan.FromMinutes(1), 'h' => TimeSpan.FromHours(1), _ => TimeSpan.FromDays(1) }, text[..^1])
            : (TimeSpan.Zero, text);
        if (unit != TimeSpan.Zero)
        {
            return double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var count) && count > 0 && count * unit.Ticks < TimeSpan.MaxValue.Ticks
                ? TimeSpan.FromTicks((long)(count * unit.Ticks))
                : null;
        }

        return TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero ? span : null;
    }

    private static TimeSpan? ParseDuration(ArgumentResult result, string name)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (TryParseDuration(text) is { } duration)
        {
            return duration;
        }

        result.AddError($"{name} must be a positive duration such as 30s, 5m, 2h, 7d or 00:05:00 (got '{text}').");
        return null;
    }
}
