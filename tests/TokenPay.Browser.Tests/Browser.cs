using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace TokenPay.Browser.Tests;

/// <summary>
/// Debian's Chromium (apt-get install chromium). Outside CI a missing browser skips the browser tests with
/// the reason; under CI=true they run and fail, so a CI machine without a browser is never green by accident.
/// </summary>
public static class Browser
{
    public static string ExecutablePath => Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public static bool Available => File.Exists(ExecutablePath);

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string? SkipReason => Available || InCi ? null : $"Chromium not found at {ExecutablePath}; install it with 'apt-get install -y chromium' (CI=true makes this a failure).";

    /// <summary>
    /// Waits until the page shows a matching URL by polling it. Not WaitForURL: after a form post redirected to
    /// another origin, Chromium's load event can be missed under load and WaitForURL then waits for it in vain.
    /// The next action waits for its own element.
    /// </summary>
    public static Task WaitForUrlAsync(IPage page, Regex url) => Assertions.Expect(page).ToHaveURLAsync(url);

    public static Task WaitForUrlAsync(IPage page, string url) => Assertions.Expect(page).ToHaveURLAsync(url);
}

/// <summary>A test that drives a real browser; skipped (with the reason) only outside CI when Chromium is missing.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute() => Skip = Browser.SkipReason;
}

/// <summary>One headless Chromium per test class; each test gets its own context (cookies, storage).</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Chromium { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (Browser.SkipReason is not null)
        {
            return;
        }

        if (!Browser.Available)
        {
            throw new InvalidOperationException($"CI=true but Chromium is missing at {Browser.ExecutablePath}: .ci/run must install it.");
        }

        // Test assemblies run in parallel on 2 cores: give pages and expectations room.
        Assertions.SetDefaultExpectTimeout(15_000);
        _playwright = await Playwright.CreateAsync();
        Chromium = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Browser.ExecutablePath,
            Headless = true,
            // As root in a container; and no background traffic on a closed network.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Chromium is not null)
        {
            await Chromium.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    /// <summary>Runs browser steps on a fresh page; on failure saves a screenshot under TestResults/screenshots and rethrows.</summary>
    /// <param name="width">The viewport's width in CSS pixels (a phone is 390, a laptop 1280).</param>
    public async Task RunAsync(string name, Func<IPage, Task> steps, int width = 420)
    {
        await using var context = await Chromium.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = 900 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        try
        {
            await steps(page);
        }
        catch
        {
            var directory = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");
            Directory.CreateDirectory(directory);
            var file = Path.Combine(directory, $"{name}.png");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
            Console.WriteLine($"Screenshot of the failure: {file}");
            throw;
        }
    }
}

/// <summary>What a person sees go wrong with a page at one width: sideways scrolling, a word split over lines, a field too narrow to show what is typed, a frame that cuts off its content, and axe's serious findings.</summary>
public static class Layout
{
    // A field narrower than 56 px shows fewer than four digits of what is typed (a CVV, a year).
    // Single words of up to 24 characters are words a person reads (a badge, a button, a brand, a masked card):
    // they stay on one line. Longer single words are ids (tokens, charge ids), which may wrap.
    private const string Script = """
        () => {
          const problems = [];
          const page = document.scrollingElement;
          if (page.scrollWidth > window.innerWidth) problems.push(`the page is ${page.scrollWidth} px wide in a ${window.innerWidth} px window`);
          // A frame (Drop-in's card fields) grows with its content: what it cuts off, a person may never find.
          if (window !== window.top && page.scrollHeight > window.innerHeight) problems.push(`the frame shows ${window.innerHeight} px of its ${page.scrollHeight} px`);
          for (const input of document.body.querySelectorAll('input:not([type=checkbox], [type=radio], [type=hidden]), textarea, select')) {
            const width = input.getBoundingClientRect().width;
            if (width > 0 && width < 56) problems.push(`the field #${input.id} is ${Math.round(width)} px wide`);
          }
          for (const element of document.body.querySelectorAll('*')) {
            const text = element.textContent.trim();
            if (element.children.length > 0 || ['SCRIPT', 'STYLE', 'OPTION'].includes(element.tagName) || text.length === 0 || text.length > 24 || /\s/.test(text)) continue;
            const range = document.createRange();
            range.selectNodeContents(element);
            const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
            if (lines.size > 1) problems.push(`"${text}" (${element.tagName.toLowerCase()}) is split over ${lines.size} lines`);
          }
          return problems;
        }
        """;

    /// <summary>Everything wrong with the page as shown now, its frames (Drop-in's card fields) included; empty when it fits and reads well.</summary>
    public static async Task<IReadOnlyList<string>> ProblemsAsync(IPage page)
    {
        var problems = new List<string>();
        foreach (var frame in page.Frames)
        {
            var where = frame == page.MainFrame ? "" : $"in the frame {new Uri(frame.Url).AbsolutePath}: ";
            if (frame != page.MainFrame)
            {
                // The page around the frame resizes it on a message from it: let a change of content settle first.
                try
                {
                    await frame.WaitForFunctionAsync("() => document.scrollingElement.scrollHeight <= window.innerHeight", null, new FrameWaitForFunctionOptions { Timeout = 5_000 });
                }
                catch (TimeoutException)
                {
                    // Still cut off: the check below says so.
                }
            }

            problems.AddRange((await frame.EvaluateAsync<string[]>(Script)).Select(problem => where + problem));
        }

        var axe = await page.RunAxe();
        problems.AddRange(axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"axe {v.Impact}: {v.Id} ({v.Help}) at {string.Join(", ", v.Nodes.Select(n => n.Target))}"));
        return problems;
    }

    /// <summary>Fails with every problem of the page, named with its path and the width.</summary>
    public static async Task ShouldFitAsync(IPage page)
    {
        var problems = await ProblemsAsync(page);
        var width = await page.EvaluateAsync<int>("() => window.innerWidth");
        problems.ShouldBeEmpty($"{new Uri(page.Url).PathAndQuery} at {width} px:\n{string.Join("\n", problems)}");
    }
}
