using Npgsql;

namespace TokenPay.Gateway.Tests;

/// <summary>The test run's own PostgreSQL: started from Debian's binaries, durable like production, one database per use.</summary>
public sealed class PostgresServerTests
{
    [PostgresFact]
    public async Task Server_StartsDurableAndGivesEachCallerItsOwnDatabase()
    {
        var server = await PostgresServer.GetAsync();
        var first = await server.CreateDatabaseAsync("probe");
        var second = await server.CreateDatabaseAsync("probe");
        first.ShouldNotBe(second);

        await using var connection = new NpgsqlConnection(first);
        await connection.OpenAsync();
        await using var settings = new NpgsqlCommand("SELECT current_setting('fsync') || ',' || current_setting('synchronous_commit') || ',' || current_setting('server_version_num')", connection);
        var values = ((string)(await settings.ExecuteScalarAsync())!).Split(',');

        values[0].ShouldBe("on");
        values[1].ShouldBe("on");
        int.Parse(values[2], System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThanOrEqualTo(150000);
    }

    [Fact]
    public async Task UnreachableServerAtStart_OneSentenceNamingHostAndDatabaseNotThePassword()
    {
        var error = await Should.ThrowAsync<TokenPay.Storage.StorageUnavailableException>(() => TokenPay.Gateway.Hosting.GatewayApp.CreateAsync(
        [
            "--Gateway:Storage:Provider=Postgres",
            "--Gateway:Storage:ConnectionString=Host=127.0.0.1;Port=1;Database=tokenpay_db;Username=app;Password=hunter2secret;Timeout=3",
        ]));

        error.Message.ShouldContain("127.0.0.1:1");
        error.Message.ShouldContain("tokenpay_db");
        error.Message.ShouldNotContain("hunter2secret");
    }
}
