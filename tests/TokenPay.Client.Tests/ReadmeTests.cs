using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace TokenPay.Client.Tests;

/// <summary>The package README's programs compile as written, against the client as it is, and call every operation: they cannot rot.</summary>
public sealed partial class ReadmeTests
{
    // Everything this test process can load: the runtime, ASP.NET Core's shared framework, the client.
    private static readonly MetadataReference[] References = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
        .Split(Path.PathSeparator).Select(path => (MetadataReference)MetadataReference.CreateFromFile(path)).ToArray();

    public static TheoryData<int> Programs() => new(Enumerable.Range(0, ProgramBlocks().Count));

    [Theory]
    [MemberData(nameof(Programs))]
    public void ReadmeProgram_Compiles(int index)
    {
        using var output = new MemoryStream();
        var result = Compile(ProgramBlocks()[index]).Emit(output);

        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
        errors.ShouldBeEmpty(string.Join('\n', errors));
        result.Success.ShouldBeTrue();
    }

    [Fact]
    public void ReadmePrograms_CallEveryOperation()
    {
        var operations = typeof(PayerMaxClient).GetMethods().Where(m => m.DeclaringType == typeof(PayerMaxClient)).Select(m => m.Name).ToHashSet();

        var called = ProgramBlocks().SelectMany(CalledClientMethods).ToHashSet();

        operations.Except(called).Order().ShouldBeEmpty("operations the README's programs never call");
    }

    private static List<string> ProgramBlocks()
    {
        var readme = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "ClientReadme.md"));
        var blocks = ProgramBlock().Matches(readme).Select(m => m.Groups[1].Value).ToList();
        blocks.ShouldNotBeEmpty("the README has csharp blocks starting with using directives");
        return blocks;
    }

    private static CSharpCompilation Compile(string program) => CSharpCompilation.Create(
        "ReadmeProgram",
        [CSharpSyntaxTree.ParseText(program, new CSharpParseOptions(LanguageVersion.Latest))],
        References,
        new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));

    private static IEnumerable<string> CalledClientMethods(string program)
    {
        var compilation = Compile(program);
        var tree = compilation.SyntaxTrees.Single();
        var model = compilation.GetSemanticModel(tree);
        return tree.GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>()
            .Select(call => model.GetSymbolInfo(call).Symbol)
            .Where(symbol => symbol?.ContainingType?.Name == nameof(PayerMaxClient))
            .Select(symbol => symbol!.Name)
            .ToList();
    }

    [GeneratedRegex("```csharp\n(using .*?)```", RegexOptions.Singleline)]
    private static partial Regex ProgramBlock();
}
