using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace TokenPay.Testing.PayerMaxSchema;

/// <summary>
/// A field PayerMax's schema marks required that PayerMax's own example leaves out, in the situation the example
/// shows: our body may leave it out there too. <paramref name="Operation"/> is a schema name or "*" for every API
/// answer; <paramref name="Field"/> a path like <c>$.data.redirectUrl</c>, or <c>$.data.*</c> for every field of data.
/// </summary>
public sealed record SchemaLeniency(string Operation, string Field, string When, Func<JsonNode, bool> Applies, string Example)
{
    public bool Covers(string operation, string field, JsonNode body) =>
        (Operation == operation || (Operation == "*" && !operation.EndsWith("NotifyUrl", StringComparison.Ordinal)))
        && (Field == field || (Field.EndsWith(".*", StringComparison.Ordinal) && field.StartsWith(Field[..^1], StringComparison.Ordinal)))
        && Applies(body);
}

/// <summary>
/// Checks answers and notifications against PayerMax's published schema (the JSON files beside this class, made by
/// <see cref="PayerMaxSchemaGenerator"/>). The test clients run every answer and every notification through it.
/// </summary>
public static class PayerMaxSchemas
{
    /// <summary>The only fields we may leave out although the schema requires them (listed in docs/protocol.md 10 too).</summary>
    public static readonly IReadOnlyList<SchemaLeniency> Exceptions =
    [
        new("orderAndPay", "$.data.redirectUrl", "the payment needs no page (no cashier, no 3-D Secure challenge)", _ => true,
            "PayerMax's second description of orderAndPay: its success example answers a card payment with data {outTradeNo, tradeToken, status: SUCCESS} and its direct-APM example with status PENDING, neither with redirectUrl"),
        new("tokenizationNotifyUrl", "$.data.requestId", "the token was saved by a payment, not by applyPaymentToken (the first notification names the payment in outTradeNo, later ones name neither)", _ => true,
            "PayerMax's TOKENIZATION example: a token saved by payment 20230725203208988107020 (outTradeNo set), without requestId"),
        new("refundQuery", "$.data.refundFinishTime", "the refund is still REFUND_PENDING", body => body["data"]?["status"]?.GetValue<string>() == "REFUND_PENDING",
            "PayerMax's refund example shows refund R1642411016202 REFUND_PENDING without a finish time; its refundQuery example shows the same refund REFUND_SUCCESS with refundFinishTime"),
        new("*", "$.data.*", "a refusal (code other than APPLY_SUCCESS): data is {}", body => body["code"]?.GetValue<string>() != "APPLY_SUCCESS",
            "PayerMax's refusal answers in the same description (components/responses: parameter incorrect, record does not exist): code and message, no data fields"),
    ];

    private static readonly Lazy<IReadOnlyDictionary<string, (JsonSchema Schema, JsonNode Node)>> Loaded = new(Load);

    private static readonly EvaluationOptions ListAll = new() { OutputFormat = OutputFormat.List };

    /// <summary>The operation whose answer is checked, or the notification (by its notifyType: PAYMENT, REFUND, TOKENIZATION).</summary>
    public static string? OperationOf(string api) => Loaded.Value.Keys.FirstOrDefault(k => string.Equals(k, api, StringComparison.OrdinalIgnoreCase));

    /// <summary>The schema file of a notification type.</summary>
    public static string? NotificationOf(string? notifyType) => notifyType switch
    {
        "PAYMENT" => "collectResultNotifyUrl",
        "REFUND" => "RefundResultNotifyUrl",
        "TOKENIZATION" => "tokenizationNotifyUrl",
        _ => null,
    };

    /// <summary>Each violation as "operation: JSON path: what is wrong (rule)"; empty when the body fits.</summary>
    public static IReadOnlyList<string> Violations(string operation, JsonNode body)
    {
        var (schema, node) = Loaded.Value[operation];
        var results = schema.Evaluate(JsonSerializer.SerializeToElement(body), ListAll);
        if (results.IsValid)
        {
            return [];
        }

        var violations = new List<string>();
        foreach (var detail in (results.Details ?? []).Where(d => d.Errors is { Count: > 0 }))
        {
            var path = JsonPath(detail.InstanceLocation.ToString());
            foreach (var (keyword, message) in detail.Errors!)
            {
                if (keyword == "required")
                {
                    violations.AddRange(MissingFields(node, detail.EvaluationPath.ToString(), body, detail.InstanceLocation.ToString())
                        .Select(field => $"{path}.{field}")
                        .Where(field => !Exceptions.Any(e => e.Covers(operation, field, body)))
                        .Select(field => $"{operation}: {field} is required but absent (required)"));
                }
                else
                {
                    violations.Add($"{operation}: {path}: {message} ({keyword})");
                }
            }
        }

        return violations;
    }

    /// <summary>Throws (failing the test that produced the body) when it does not fit the operation's schema.</summary>
    public static void Check(string operation, byte[] body)
    {
        JsonNode? json;
        try
        {
            json = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            // Not JSON at all: what the test asserts about such a body is the test's business, not the schema's.
            return;
        }

        if (json is not null && Violations(operation, json) is { Count: > 0 } violations)
        {
            throw new Xunit.Sdk.XunitException($"Not PayerMax's schema:\n  {string.Join("\n  ", violations)}\nin {json.ToJsonString()}");
        }
    }

    private static IEnumerable<string> MissingFields(JsonNode schema, string schemaPointer, JsonNode body, string instancePointer)
    {
        var subschema = Walk(schema, schemaPointer);
        var instance = Walk(body, instancePointer) as JsonObject;
        return subschema?["required"] is JsonArray required && instance is not null
            ? required.Select(r => r!.GetValue<string>()).Where(name => !instance.ContainsKey(name))
            : [];
    }

    private static JsonNode? Walk(JsonNode? node, string pointer)
    {
        foreach (var segment in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)))
        {
            node = node switch
            {
                JsonObject o => o[segment],
                JsonArray a when int.TryParse(segment, out var i) && i < a.Count => a[i],
                _ => null,
            };
        }

        return node;
    }

    private static string JsonPath(string pointer) =>
        "$" + string.Concat(pointer.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(s => int.TryParse(s, out _) ? $"[{s}]" : "." + s));

    private static IReadOnlyDictionary<string, (JsonSchema, JsonNode)> Load()
    {
        var assembly = typeof(PayerMaxSchemas).Assembly;
        const string prefix = "PayerMaxSchema.";
        var loaded = new Dictionary<string, (JsonSchema, JsonNode)>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var operation = resource[prefix.Length..^".json".Length];
            var text = Read(assembly, resource);
            var schema = JsonSchema.FromText(text, new BuildOptions { SchemaRegistry = new SchemaRegistry() }, new Uri($"https://tokenpay.test/payermax/{operation}.json"));
            loaded[operation] = (schema, JsonNode.Parse(text)!);
        }

        return loaded;
    }

    /// <summary>The committed schema files by name, as text (compared with the generator's output).</summary>
    public static IReadOnlyDictionary<string, string> Files()
    {
        var assembly = typeof(PayerMaxSchemas).Assembly;
        return assembly.GetManifestResourceNames().Where(n => n.StartsWith("PayerMaxSchema.", StringComparison.Ordinal))
            .ToDictionary(n => n["PayerMaxSchema.".Length..], n => Read(assembly, n), StringComparer.Ordinal);
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
        return reader.ReadToEnd();
    }
}
