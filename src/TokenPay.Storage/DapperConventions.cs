using System.Data;
using System.Globalization;
using Dapper;

namespace TokenPay.Storage;

/// <summary>
/// How Dapper maps for every TokenPay store: snake_case columns to PascalCase properties, and booleans as
/// 0/1 integers on every engine (SQLite has no boolean type; PostgreSQL keeps the same INTEGER columns, so the
/// SQL is shared).
/// </summary>
public static class DapperConventions
{
    private static readonly Lazy<bool> Applied = new(() =>
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        SqlMapper.RemoveTypeMap(typeof(bool));
        SqlMapper.RemoveTypeMap(typeof(bool?));
        SqlMapper.AddTypeHandler(new FlagHandler());
        return true;
    });

    public static void Apply() => _ = Applied.Value;

    private sealed class FlagHandler : SqlMapper.TypeHandler<bool>
    {
        public override void SetValue(IDbDataParameter parameter, bool value)
        {
            parameter.DbType = DbType.Int32;
            parameter.Value = value ? 1 : 0;
        }

        public override bool Parse(object value) => Convert.ToInt64(value, CultureInfo.InvariantCulture) != 0;
    }
}
