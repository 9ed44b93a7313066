using System.Reflection;
using Microsoft.Extensions.Logging;
using NetArchTest.Rules;

namespace TokenPay.Gateway.Tests.Architecture;

/// <summary>
/// The gateway's folders form layers (docs/architecture.md): each uses only the folders below it, the sandbox
/// stays at the edges, storage records carry data only, and every log line has an id of its own.
/// </summary>
public sealed class LayerTests
{
    private static readonly Assembly Gateway = typeof(Hosting.GatewayApp).Assembly;

    // Bottom to top; a folder may use the folders of lower rows only (never one beside it).
    private static readonly string[][] Layers =
    [
        ["Storage"],
        ["Core", "Vault"],
        ["Envelope"],
        ["Acquiring", "Notifications", "Pages"],
        ["Orders"],
        ["Refunds", "Disputes", "Tokens", "DropIn", "Cashier", "ThreeDS"],
        ["Admin"],
        ["Sandbox"],
        ["OperatorConsole"],
        ["Hosting"],
    ];

    private static readonly string[] SandboxTypes = ["TokenPay.Gateway.Sandbox", typeof(global::TokenPay.Hosting.SandboxClock).FullName!];

    public static TheoryData<string> Folders() => [.. Layers.SelectMany(row => row)];

    [Fact]
    public void EveryFolderOfTheGateway_HasItsPlaceInTheLayers()
    {
        var folders = Gateway.GetTypes()
            .Select(type => type.Namespace)
            .Where(name => name is not null && name.StartsWith("TokenPay.Gateway.", StringComparison.Ordinal))
            .Select(name => name!["TokenPay.Gateway.".Length..].Split('.')[0])
            .Distinct();

        folders.Except(Layers.SelectMany(row => row)).ShouldBeEmpty();
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void AFolder_UsesOnlyTheFoldersBelowIt(string folder)
    {
        var row = Array.FindIndex(Layers, r => r.Contains(folder));
        var notBelow = Layers.Skip(row).SelectMany(r => r).Where(other => other != folder).Select(other => $"TokenPay.Gateway.{other}").ToArray();

        var result = Types.InAssembly(Gateway).That().ResideInNamespace($"TokenPay.Gateway.{folder}")
            .ShouldNot().HaveDependencyOnAny(notBelow).GetResult();

        FailingTypes(result).ShouldBeEmpty($"{folder} may use only {string.Join(", ", Layers.Take(row).SelectMany(r => r))}");
    }

    [Fact]
    public void OnlyTheSandboxItsConsoleAndTheCompositionRoot_NameSandboxTypes()
    {
        var result = Types.InAssembly(Gateway).That().ResideInNamespaceMatching(@"^TokenPay\.Gateway\.")
            .And().DoNotResideInNamespaceMatching(@"^TokenPay\.Gateway\.(Sandbox|OperatorConsole|Hosting)(\.|$)")
            .ShouldNot().HaveDependencyOnAny(SandboxTypes).GetResult();

        FailingTypes(result).ShouldBeEmpty();
    }

    [Fact]
    public void StorageRecords_CarryDataOnly()
    {
        var carriers = Gateway.GetTypes()
            .Where(type => type.Namespace == "TokenPay.Gateway.Storage" && !typeof(Delegate).IsAssignableFrom(type))
            .SelectMany(type => type.GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
                .Where(property => typeof(Delegate).IsAssignableFrom(property.PropertyType))
                .Select(property => $"{type.Name}.{property.Name}"));

        carriers.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("TokenPay.Gateway")]
    [InlineData("TokenPay.Merchant")]
    [InlineData("TokenPay.Sandbox")]
    [InlineData("TokenPay.Client")]
    [InlineData("TokenPay.Hosting")]
    public void EveryLogLine_IsDeclaredInTheProjectsLogClass_WithAnIdOfItsOwn(string project)
    {
        var messages = Assembly.Load(project).GetTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Select(method => (Type: type, Method: method, Message: method.GetCustomAttribute<LoggerMessageAttribute>()))
                .Where(found => found.Message is not null))
            .ToList();

        messages.Where(m => m.Type.Name != "Log").Select(m => $"{m.Type.Name}.{m.Method.Name}").ShouldBeEmpty();
        messages.Where(m => m.Message!.EventId <= 0).Select(m => m.Method.Name).ShouldBeEmpty();
        messages.GroupBy(m => m.Message!.EventId).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method.Name))}").ShouldBeEmpty();
    }

    private static IEnumerable<string> FailingTypes(TestResult result) =>
        result.IsSuccessful ? [] : result.FailingTypes.Select(type => type.FullName);
}
