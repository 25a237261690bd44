namespace Provisioning.Cli.Tests.Imports;

/// <summary>The example files README points newcomers at stay valid.</summary>
public sealed class ExampleFilesTests
{
    private static string Example(string name)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Provisioning.sln"))) directory = directory.Parent;
        return Path.Combine(directory?.FullName ?? throw new DirectoryNotFoundException("repository root"), "cli", "examples", name);
    }

    [Theory]
    [InlineData("inventory", "devices.csv", "4 valid device(s)")]
    [InlineData("plans", "plans.yaml", "2 valid plan(s)")]
    [InlineData("plans", "plans.json", "1 valid plan(s)")]
    [InlineData("plans", "model-profiles.yaml", "2 model profile(s)")]
    public async Task Example_files_pass_validation(string command, string file, string expected)
    {
        var run = await CliRun.ExecuteAsync([command, "import", Example(file), "--dry-run"]);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains(expected, run.Console);
    }
}
