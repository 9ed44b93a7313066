using System.Net;
using System.Text.Json.Nodes;
using TokenPay.Protocol;

namespace TokenPay.Gateway.Tests;

/// <summary>Every field of a full request replaced by every hostile JSON shape: never a 5xx, never SYSTEM_ERROR, always signed.</summary>
public class HostileShapeTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private static readonly string[] Shapes = ["null", "[]", "{}", "\"\"", "true", "-1", "1e400", "123456789012345678901234567890", "\"\\u0000\"", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"];

    public static TheoryData<string> Paths()
    {
        var data = new TheoryData<string>();
        foreach (var path in LeafPaths(OrderRequests.Bind("x", "u"), ""))
        {
            data.Add(path);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task OrderAndPay_AnyFieldAnyShape_ClearRefusalNeverServerError(string path)
    {
        foreach (var shape in Shapes)
        {
            var order = OrderRequests.Bind(GatewayFixture.NewId("h"), GatewayFixture.NewId("u"));
            Set(order, path, JsonNode.Parse(shape));

            var answer = await fixture.Host.Merchant.PostAsync("orderAndPay", order);

            ((int)answer.Status).ShouldBeLessThan(500, $"{path}={shape}");
            answer.SignatureValid.ShouldBeTrue($"{path}={shape}");
            answer.Code.ShouldNotBe(ResultCodes.SystemError, $"{path}={shape}: {answer}");
            if (answer.Status == HttpStatusCode.OK && answer.Code != ResultCodes.ApplySuccess)
            {
                answer.Msg.ShouldNotBeNullOrWhiteSpace();
            }
        }
    }

    private static IEnumerable<string> LeafPaths(JsonObject node, string prefix)
    {
        foreach (var (name, value) in node)
        {
            var path = prefix.Length == 0 ? name : $"{prefix}.{name}";
            if (value is JsonObject child)
            {
                yield return path;
                foreach (var inner in LeafPaths(child, path))
                {
                    yield return inner;
                }
            }
            else
            {
                yield return path;
            }
        }
    }

    private static void Set(JsonObject root, string path, JsonNode? value)
    {
        var parts = path.Split('.');
        var parent = root;
        foreach (var part in parts[..^1])
        {
            parent = parent[part]!.AsObject();
        }

        parent[parts[^1]] = value;
    }
}
