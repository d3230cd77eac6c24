using System.Reflection;
using System.Text.RegularExpressions;
using InteropTracker.Core;

namespace InteropTracker.Tests.Architecture;

/// <summary>
/// The folders of src/InteropTracker and the one-way arrows between them, read from each file's <c>using
/// InteropTracker.X</c> lines: Core depends on nothing, and no two folders depend on each other, directly or round a loop.
/// </summary>
public sealed partial class FolderGraphTests
{
    private static readonly string Source = FindSource();

    [Fact]
    public void Core_uses_nothing_from_HTTP_storage_or_another_folder()
    {
        var offending = Files("Core")
            .SelectMany(file => File.ReadAllLines(file).Select((line, i) => (file, line, number: i + 1)))
            .Where(l => !l.line.StartsWith("namespace ", StringComparison.Ordinal) && !l.line.TrimStart().StartsWith("///", StringComparison.Ordinal))
            .Where(l => Forbidden().IsMatch(l.line))
            .Select(l => $"{Path.GetFileName(l.file)}:{l.number}: {l.line.Trim()}")
            .ToList();

        Assert.Empty(offending);
        Assert.NotEmpty(Files("Core"));
    }

    [Fact]
    public void Core_types_expose_nothing_from_ASP_NET_Core_SQLite_or_Dapper()
    {
        var core = typeof(Planning).Assembly.GetTypes().Where(t => t.Namespace == "InteropTracker.Core").ToList();
        var leaks = core
            .SelectMany(t => Signatures(t).Select(used => (t, used)))
            .Where(x => x.used.Assembly.GetName().Name is { } name
                        && (name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)
                            || name.StartsWith("Microsoft.Data", StringComparison.Ordinal) || name == "Dapper"))
            .Select(x => $"{x.t.Name} uses {x.used.FullName}")
            .Distinct()
            .ToList();

        Assert.Contains(core, t => t == typeof(ResultRules));
        Assert.Empty(leaks);
    }

    [Fact]
    public void Folders_depend_on_each_other_one_way_only()
    {
        var graph = Graph();
        Assert.Contains("Core", graph["Events"]);

        var cycles = new List<string>();
        var state = new Dictionary<string, int>(); // 1: on the path, 2: done
        var path = new Stack<string>();
        void Visit(string folder)
        {
            state[folder] = 1;
            path.Push(folder);
            foreach (var next in graph.GetValueOrDefault(folder, []))
            {
                if (state.GetValueOrDefault(next) == 1)
                    cycles.Add(string.Join(" -> ", path.Reverse().SkipWhile(f => f != next).Append(next)));
                else if (state.GetValueOrDefault(next) == 0 && graph.ContainsKey(next)) Visit(next);
            }
            path.Pop();
            state[folder] = 2;
        }
        foreach (var folder in graph.Keys.Order()) if (state.GetValueOrDefault(folder) == 0) Visit(folder);

        Assert.Empty(cycles);
    }

    [Fact]
    public void The_cycle_finder_reads_the_using_lines_of_every_folder()
    {
        var graph = Graph();

        Assert.Empty(graph["Core"]);
        Assert.Equal(["Core"], graph["Storage"].Order());
        Assert.Contains("Events", graph["Pages"]);
    }

    /// <summary>Each folder and the other folders its files name in <c>using InteropTracker.X</c>.</summary>
    private static Dictionary<string, HashSet<string>> Graph() =>
        Directory.GetDirectories(Source)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(f => f is not ("bin" or "obj" or "wwwroot"))
            .ToDictionary(folder => folder, folder => Files(folder)
                .SelectMany(File.ReadLines)
                .Select(line => UsingLine().Match(line))
                .Where(m => m.Success)
                .Select(m => m.Groups[1].Value)
                .Where(used => used != folder)
                .ToHashSet());

    private static IEnumerable<string> Files(string folder) =>
        Directory.EnumerateFiles(Path.Combine(Source, folder), "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".cshtml", StringComparison.Ordinal));

    private static IEnumerable<Type> Signatures(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        if (type.BaseType is { } b) yield return b;
        foreach (var i in type.GetInterfaces()) yield return i;
        foreach (var f in type.GetFields(all)) yield return f.FieldType;
        foreach (var p in type.GetProperties(all)) yield return p.PropertyType;
        foreach (var m in type.GetMethods(all))
        {
            yield return m.ReturnType;
            foreach (var p in m.GetParameters()) yield return p.ParameterType;
        }
        foreach (var c in type.GetConstructors(all))
            foreach (var p in c.GetParameters()) yield return p.ParameterType;
    }

    private static string FindSource()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "InteropTracker");
            if (Directory.Exists(Path.Combine(candidate, "Core"))) return candidate;
        }
        throw new DirectoryNotFoundException("src/InteropTracker not found above the test's output folder.");
    }

    [GeneratedRegex(@"^\s*@?using\s+(?:static\s+)?InteropTracker\.(\w+)")]
    private static partial Regex UsingLine();

    /// <summary>What Core must not name: ASP.NET Core, the SQLite provider, Dapper, or any other folder of the app.</summary>
    [GeneratedRegex(@"Microsoft\.AspNetCore|Microsoft\.Data|Microsoft\.Extensions|\bDapper\b|InteropTracker\.(?!Core\b)\w+")]
    private static partial Regex Forbidden();
}
