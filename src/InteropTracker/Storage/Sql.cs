using System.Data.Common;
using Npgsql;

namespace InteropTracker.Storage;

/// <summary>The few expressions the two engines spell differently, and plain parameters on either's commands.</summary>
public static class Sql
{
    /// <summary>An ISO-8601 text timestamp column as an OLE Automation date (days since 1899-12-30), read as a double.</summary>
    public static string OaDate(DbConnection connection, string column) => connection is NpgsqlConnection
        ? $"(extract(epoch FROM {column}::timestamptz)::float8 / 86400 + 25569)"
        : $"(julianday({column}) - 2415018.5)";

    /// <summary>
    /// "column is one of the list parameter": Dapper expands <c>IN @list</c> into (@list1, @list2, …) on SQLite, but hands
    /// PostgreSQL the list as one array, which only <c>= ANY(@list)</c> compares with.
    /// </summary>
    public static string In(DbConnection connection, string column, string list) => connection is NpgsqlConnection
        ? $"{column} = ANY({list})"
        : $"{column} IN {list}";

    /// <summary>The function that builds a JSON object from name and value arguments, as text.</summary>
    public static string JsonObject(DbConnection connection) => connection is NpgsqlConnection ? "json_build_object" : "json_object";

    public static DbParameter AddParameter(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
