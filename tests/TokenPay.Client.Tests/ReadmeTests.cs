using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace TokenPay.Client.Tests;

/// <summary>The package README's program compiles as written, against the client as it is: it cannot rot.</summary>
public sealed partial class ReadmeTests
{
    [Fact]
    public void ReadmeProgram_Compiles()
    {
        var readme = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "ClientReadme.md"));
        var program = ProgramBlock().Match(readme);
        program.Success.ShouldBeTrue("the README has a csharp block starting with using directives");

        // Everything this test process can load: the runtime, ASP.NET Core's shared framework, the client.
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create(
            "ReadmeProgram",
            [CSharpSyntaxTree.ParseText(program.Groups[1].Value, new CSharpParseOptions(LanguageVersion.Latest))],
            references,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));

        using var output = new MemoryStream();
        var result = compilation.Emit(output);

        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
        errors.ShouldBeEmpty(string.Join('\n', errors));
        result.Success.ShouldBeTrue();
    }

    [GeneratedRegex("```csharp\n(using .*?)```", RegexOptions.Singleline)]
    private static partial Regex ProgramBlock();
}
