using TokenPay.Storage;

namespace TokenPay.Gateway.Storage;

/// <summary>Named values kept in the database: generated keys every node of one database shares.</summary>
internal sealed class SettingsStore(RelationalDatabase database)
{
    public Task<string?> GetAsync(string name, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync<string>("SELECT value FROM settings WHERE name = @name;", new { name }, cancellationToken);

    /// <summary>Returns the stored value of a setting, storing <paramref name="valueIfAbsent"/> first if there is none (first writer wins, across nodes too).</summary>
    public async Task<string> GetOrAddAsync(string name, string valueIfAbsent, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        await write.ExecuteAsync("INSERT INTO settings (name, value) VALUES (@name, @valueIfAbsent) ON CONFLICT (name) DO NOTHING;", new { name, valueIfAbsent }, cancellationToken);
        var value = await write.ScalarAsync<string>("SELECT value FROM settings WHERE name = @name;", new { name }, cancellationToken);
        await write.CommitAsync();
        return value!;
    }
}
