using Provisioning.Cli.Events;

namespace Provisioning.Cli.Tests.Formats;

public sealed class EventFileResumeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cpe-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Export(EventFormat format, int count)
    {
        var path = Path.Combine(_directory, format == EventFormat.Csv ? "events.csv" : "events.jsonl");
        using var file = EventFile.OpenForWriting(path, append: false);
        var writer = EventFormats.CreateWriter(format, file, writeHeader: true);
        foreach (var e in SampleEvents.TwoWorkflows().Take(count)) writer.Write(e);
        writer.Flush();
        return path;
    }

    [Theory]
    [InlineData(EventFormat.JsonLines)]
    [InlineData(EventFormat.Csv)]
    public void Resume_position_is_the_last_event_written(EventFormat format)
    {
        var path = Export(format, 5);
        Assert.Equal(5, EventFile.PrepareResume(path, format));
        Assert.Equal(5, EventFile.ReadAll(path, format).Count);
    }

    [Theory]
    [InlineData(EventFormat.JsonLines)]
    [InlineData(EventFormat.Csv)]
    public void A_line_cut_short_by_a_killed_run_is_dropped_before_appending(EventFormat format)
    {
        var path = Export(format, 5);
        var complete = File.ReadAllBytes(path);
        // Simulate a crash in the middle of writing event 6.
        var sixth = new StringWriter();
        EventFormats.CreateWriter(format, sixth, writeHeader: false).Apply(w => { w.Write(SampleEvents.TwoWorkflows()[5]); w.Flush(); });
        File.AppendAllText(path, sixth.ToString()[..20]);

        Assert.Equal(5, EventFile.PrepareResume(path, format));
        Assert.Equal(complete, File.ReadAllBytes(path));
    }

    [Fact]
    public void Missing_or_header_only_file_has_no_resume_position()
    {
        Assert.Null(EventFile.PrepareResume(Path.Combine(_directory, "none.jsonl"), EventFormat.JsonLines));
        var path = Export(EventFormat.Csv, 0);
        Assert.Null(EventFile.PrepareResume(path, EventFormat.Csv));
    }

    [Fact]
    public void A_file_that_is_not_an_export_is_reported_by_line()
    {
        var path = Path.Combine(_directory, "other.jsonl");
        File.WriteAllText(path, "{\"global_position\": \"1\"}\nnot json\n");
        var error = Assert.Throws<CliException>(() => EventFile.PrepareResume(path, EventFormat.JsonLines));
        Assert.StartsWith("line 2 is not an exported event", error.Message);
    }
}

internal static class WriterExtensions
{
    public static void Apply(this IEventWriter writer, Action<IEventWriter> action) => action(writer);
}
