using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlScalar = YamlDotNet.Core.Events.Scalar;

namespace InteropTracker.TestPlans;

// YAML through YamlDotNet's event parser, so every value keeps the line it came from and nothing is expanded:
// aliases are refused outright (no alias bomb can grow), nesting is bounded, one document per file.
public static partial class TestPlanImport
{
    private static Located? ReadYaml(byte[] content, ImportErrors errors)
    {
        if (DecodeUtf8(content, errors) is not { } text) return null;
        var parser = new Parser(new StringReader(text));
        try
        {
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
            {
                errors.Unreadable("line 1", "The document is empty.");
                return null;
            }
            parser.Consume<DocumentStart>();
            var values = 0;
            var root = ReadYamlNode(parser, depth: 1, ref values, errors);
            parser.Consume<DocumentEnd>();
            if (!parser.Accept<StreamEnd>(out _))
                throw new YamlException(parser.Current!.Start, parser.Current.End,
                    "A second YAML document starts here; put one test plan in each file.");
            return root;
        }
        catch (YamlException e)
        {
            errors.Unreadable(LineOf(e.Start), WithoutMarks(e.Message));
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner fails this way on some truncated input, such as a flow sequence left open at the end.
            var line = parser.Current is { } last ? LineOf(last.End) : "line 1";
            errors.Unreadable(line, "The YAML cannot be read past this point: look for an unclosed [, { or quote.");
            return null;
        }
    }

    private static Located ReadYamlNode(IParser parser, int depth, ref int values, ImportErrors errors)
    {
        var current = parser.Current!;
        if (current is AnchorAlias alias)
            throw new YamlException(alias.Start, alias.End,
                $"The alias *{alias.Value} is not accepted: test plans are read without YAML aliases; write the content out in full.");
        if (depth > MaxDepth)
            throw new YamlException(current.Start, current.End, $"The document nests deeper than {MaxDepth} levels.");
        if (++values > MaxValues)
            throw new YamlException(current.Start, current.End, $"The document holds more than {MaxValues} values; split the plan.");

        switch (current)
        {
            case YamlScalar scalar:
                parser.MoveNext();
                return new LocatedText(LineOf(scalar.Start), scalar.Value, YamlBoolean(scalar));

            case SequenceStart start:
                parser.MoveNext();
                var items = new List<Located>();
                while (!parser.TryConsume<SequenceEnd>(out _))
                    items.Add(ReadYamlNode(parser, depth + 1, ref values, errors));
                return new LocatedList(LineOf(start.Start), items);

            case MappingStart start:
                parser.MoveNext();
                var place = LineOf(start.Start);
                var fields = new Dictionary<string, Located>(StringComparer.Ordinal);
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    if (parser.Current is not YamlScalar key)
                        throw new YamlException(parser.Current!.Start, parser.Current.End, "A mapping key must be a plain name.");
                    parser.MoveNext();
                    var value = ReadYamlNode(parser, depth + 1, ref values, errors);
                    if (!fields.TryAdd(key.Value, value))
                        errors.Add(LineOf(key.Start), $"'{key.Value}' appears twice in the mapping that starts at {place}.");
                }
                return new LocatedMap(place, fields, _ => place);

            default:
                throw new YamlException(current.Start, current.End, $"Unexpected {current.GetType().Name} in the document.");
        }
    }

    /// <summary>YAML 1.2's core schema: only a plain true or false is a boolean ("yes", "maybe" and "'true'" are not).</summary>
    private static bool? YamlBoolean(YamlScalar scalar) =>
        scalar.Style != ScalarStyle.Plain ? null
        : scalar.Value is "true" or "True" or "TRUE" ? true
        : scalar.Value is "false" or "False" or "FALSE" ? false
        : null;

    private static string LineOf(Mark mark) => $"line {mark.Line}";

    /// <summary>YamlDotNet prefixes its messages with "(Line: 3, Col: 5, Idx: 20) - (…): "; the place is already the key.</summary>
    private static string WithoutMarks(string message)
    {
        var cut = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith("(Line:", StringComparison.Ordinal) && cut >= 0 ? message[(cut + 3)..] : message;
    }
}
