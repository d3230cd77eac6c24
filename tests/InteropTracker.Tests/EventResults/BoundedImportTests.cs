using System.Net;
using System.Net.Http.Headers;
using System.Text;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.EventResults;

namespace InteropTracker.Tests.EventResults;

/// <summary>
/// An import holds a few chunks of rows, never the file: a bad file is refused where its first bad rows are, the rest
/// of the body unread; a file over the row cap is refused at the row past it; and a token has only a few imports under
/// way at once.
/// </summary>
public class BoundedImportTests(AppFixture app) : IClassFixture<AppFixture>
{
    private readonly Build _build = new(seed: 29);

    private const string Header = "plan,case,initiator,responder,verdict,notes,issue\r\n";

    [Fact]
    public async Task A_60_MB_import_whose_first_row_is_bad_is_refused_at_that_row_having_read_a_small_part_of_the_body()
    {
        var floor = await TestFloor.OpenAsync(app, _build);
        var bad = Encoding.UTF8.GetBytes($"{floor.Sip},{TestFloor.Call},{floor.A1.Key},{floor.B1.Key},great,,\r\n");
        var good = Encoding.UTF8.GetBytes($"{floor.Sip},{TestFloor.Call},{floor.A1.Key},{floor.B1.Key},pass,a note,\r\n");
        var body = new GeneratedBody(Encoding.UTF8.GetBytes(Header).Concat(bad).ToArray(), good, 60L * 1024 * 1024);

        var problem = await Problem.ReadAsync(await floor.EngineerA.PostAsync($"{floor.Results}/import", body.Content("text/csv")),
            HttpStatusCode.UnprocessableEntity);

        Assert.Equal(["row 2"], problem.Errors.Keys);
        Assert.StartsWith("verdict: 'great' is not a verdict", problem.Errors["row 2"][0]);
        Assert.Contains("1 of the first", problem.Detail);
        Assert.Contains("The rest of the file was not read", problem.Detail);
        Assert.True(body.BytesRead < 8L * 1024 * 1024, $"{body.BytesRead:N0} of {body.Length:N0} bytes were read");
        Assert.Equal((0L, 0L), floor.Counts());
    }

    [Fact]
    public async Task A_JSON_array_whose_first_item_is_bad_is_refused_at_it_having_read_a_small_part_of_the_body()
    {
        var floor = await TestFloor.OpenAsync(app, _build);
        var item = $"{{\"plan\":\"{floor.Sip}\",\"case\":\"{TestFloor.Call}\",\"initiator\":\"{floor.A1.Key}\",\"responder\":\"{floor.B1.Key}\",\"verdict\":";
        var body = new GeneratedBody(Encoding.UTF8.GetBytes($"[{item}\"great\"}}"), Encoding.UTF8.GetBytes($",{item}\"pass\"}}"),
            60L * 1024 * 1024);

        var problem = await Problem.ReadAsync(
            await floor.EngineerA.PostAsync($"{floor.Results}/import", body.Content("application/json")), HttpStatusCode.UnprocessableEntity);

        Assert.Equal(["[0]"], problem.Errors.Keys);
        Assert.True(body.BytesRead < 8L * 1024 * 1024, $"{body.BytesRead:N0} of {body.Length:N0} bytes were read");
        Assert.Equal((0L, 0L), floor.Counts());
    }

    [Fact]
    public async Task A_file_of_more_rows_than_the_cap_is_refused_at_the_first_row_past_it()
    {
        var floor = await TestFloor.OpenAsync(app, _build);
        var good = Encoding.UTF8.GetBytes($"{floor.Sip},{TestFloor.Call},{floor.A1.Key},{floor.B1.Key},pass,{new string('n', 60)},\r\n");
        var body = new GeneratedBody(Encoding.UTF8.GetBytes(Header), good, Header.Length + (ResultImport.MaxRows + 50_000L) * good.Length);
        Assert.True(body.Length > ResultImport.CopiedBytes, "checked as it arrives");

        var problem = await Problem.ReadAsync(await floor.EngineerA.PostAsync($"{floor.Results}/import", body.Content("text/csv")),
            HttpStatusCode.RequestEntityTooLarge);

        Assert.StartsWith($"row {ResultImport.MaxRows + 2}: The file has more than {ResultImport.MaxRows:N0} rows", problem.Detail);
        Assert.True(body.BytesRead < body.Length, "the rows past the cap were not all read");
        Assert.Equal((0L, 0L), floor.Counts());
    }

    [Fact]
    public async Task A_small_file_of_more_rows_than_the_cap_is_refused_too_and_nothing_is_kept()
    {
        var floor = await TestFloor.OpenAsync(app, _build);
        var csv = new StringBuilder(Header);
        for (var r = 0; r <= ResultImport.MaxRows; r++) csv.Append($"{floor.Sip},{TestFloor.Call},{floor.A1.Key},{floor.B1.Key},pass,,\r\n");
        Assert.True(csv.Length < ResultImport.CopiedBytes, "copied before it is checked");

        var problem = await Problem.ReadAsync(await floor.EngineerA.PostAsync($"{floor.Results}/import", TestFloor.Content(csv.ToString(), "text/csv")),
            HttpStatusCode.RequestEntityTooLarge);

        Assert.StartsWith($"row {ResultImport.MaxRows + 2}: The file has more than", problem.Detail);
        Assert.Equal((0L, 0L), floor.Counts());
    }

    [Fact]
    public async Task A_token_with_two_imports_under_way_is_told_to_retry_later_and_other_tokens_are_not()
    {
        var floor = await TestFloor.OpenAsync(app, _build);
        var engineer = await app.NewToken(Roles.Engineer, floor.A1.Organization);
        var row = $"{floor.Sip},{TestFloor.Call},{floor.A1.Key},{floor.B1.Key},pass,,\r\n";
        var held = Enumerable.Range(0, ImportLimit.PerCaller).Select(_ => new HeldBody(Header + row)).ToList();
        var under = held.Select(h => app.WithToken(engineer).PostAsync($"{floor.Results}/import", h.Content())).ToList();
        await Task.WhenAll(held.Select(h => h.Started));
        await Task.Delay(500); // the server takes each held import's permit as it starts reading its body

        var refused = await app.WithToken(engineer).PostAsync($"{floor.Results}/import", TestFloor.Content(Header + row, "text/csv"));
        var other = await floor.EngineerA.PostAsync($"{floor.Results}/import", TestFloor.Content(Header + row, "text/csv"));

        var problem = await Problem.ReadAsync(refused, HttpStatusCode.TooManyRequests);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(ImportLimit.RetryAfterSeconds), refused.Headers.RetryAfter?.Delta);
        Assert.Contains($"{ImportLimit.PerCaller} imports under way", problem.Detail);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);

        foreach (var h in held) h.Release();
        Assert.All(await Task.WhenAll(under), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var again = await app.WithToken(engineer).PostAsync($"{floor.Results}/import", TestFloor.Content(Header + row, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal((1L, 4L), floor.Counts()); // the four imports that were let through, each a revision of the one cell
    }

    [Fact]
    public async Task A_chair_with_two_plan_uploads_under_way_is_told_to_retry_later()
    {
        var chair = await app.NewToken(Roles.Chair);
        var held = Enumerable.Range(0, ImportLimit.PerCaller).Select(_ => new HeldBody(SamplePlansYaml("held"))).ToList();
        var under = held.Select(h => app.WithToken(chair).PostAsync("/api/test-plans", h.Content("application/yaml"))).ToList();
        await Task.WhenAll(held.Select(h => h.Started));
        await Task.Delay(500); // the server takes each held import's permit as it starts reading its body

        var refused = await app.WithToken(chair).PostAsync("/api/test-plans", TestFloor.Content(SamplePlansYaml("third"), "application/yaml"));

        await Problem.ReadAsync(refused, HttpStatusCode.TooManyRequests);
        Assert.NotNull(refused.Headers.RetryAfter);
        foreach (var h in held) h.Release();
        await Task.WhenAll(under);
    }

    private static string SamplePlansYaml(string plan) => $$"""
        plan: {{plan}}-{{Guid.NewGuid():N}}
        title: Held
        version: "1.0"
        technology: SIP
        sections:
          - id: s
            title: S
            cases:
              - { id: C-1, title: T, purpose: P, steps: [s], expected: [e], priority: must }
        """;

    /// <summary>A body of a given length made of a head and a row repeated, that counts how much of it was read.</summary>
    private sealed class GeneratedBody(byte[] head, byte[] row, long length) : Stream
    {
        private long _position;

        public long BytesRead => _position;

        public HttpContent Content(string mediaType)
        {
            var content = new StreamContent(this, 64 * 1024);
            content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            content.Headers.ContentLength = length;
            return content;
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var written = 0;
            while (written < count && _position < length)
            {
                var (source, at) = _position < head.Length ? (head, _position) : (row, (_position - head.Length) % row.Length);
                var n = (int)Math.Min(Math.Min(source.Length - at, count - written), length - _position);
                Array.Copy(source, at, buffer, offset + written, n);
                written += n;
                _position += n;
            }
            return written;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A body whose last bytes are sent only once <see cref="Release"/> is called, so that its import stays under way.</summary>
    private sealed class HeldBody(string text)
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Started => _started.Task;

        public void Release() => _released.TrySetResult();

        public HttpContent Content(string mediaType = "text/csv") => new Held(this, mediaType);

        private sealed class Held : HttpContent
        {
            private readonly HeldBody _body;

            public Held(HeldBody body, string mediaType)
            {
                _body = body;
                Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            }

            protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
            {
                var bytes = Encoding.UTF8.GetBytes(_body._text);
                await stream.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
                await stream.FlushAsync();
                _body._started.TrySetResult();
                await _body._released.Task;
                await stream.WriteAsync(bytes.AsMemory(bytes.Length / 2));
            }

            protected override bool TryComputeLength(out long length)
            {
                length = 0;
                return false;
            }
        }

        private readonly string _text = text;
    }
}
