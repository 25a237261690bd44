using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Provisioning.Orchestrator.Firmware;
using Provisioning.Testing;

namespace Provisioning.Orchestrator.Tests.Firmware;

/// <summary>The orchestrator's image server over real HTTP: tokenised links, Range, and refusals that say nothing.</summary>
public sealed class FirmwareImageServerTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cpe-fw-").FullName;
    private readonly byte[] _image = RandomNumberGenerator.GetBytes(256 * 1024 + 17);
    private readonly HttpClient _http = new();
    private ScriptedAdapter _adapter = null!;
    private SystemUnderTest _system = null!;
    private int _imagePort;

    public async Task InitializeAsync()
    {
        await File.WriteAllBytesAsync(Path.Combine(_folder, "HG8245-V3.bin"), _image);
        await File.WriteAllBytesAsync(Path.Combine(_folder, "other.bin"), [1, 2, 3]);
        await File.WriteAllBytesAsync(Path.Combine(_folder, "2.0.1.bin"), _image);
        _adapter = await ScriptedAdapter.StartAsync();
        _imagePort = FreePort.Next();
        var settings = OrchestratorFixture.Settings(_adapter);
        settings["Firmware:ImageFolder"] = _folder;
        settings["Firmware:ImageUrl"] = $"http://0.0.0.0:{_imagePort}";
        _system = await SystemUnderTest.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _system.DisposeAsync();
        await _adapter.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private FirmwareImageLinks Links => _system.Services.GetRequiredService<FirmwareImageLinks>();

    [Fact]
    public async Task A_device_link_serves_the_image_whole_and_by_range()
    {
        var url = Links.UrlFor("SN-FW-1", "HG8245-V3.bin");
        Assert.StartsWith($"http://127.0.0.1:{_imagePort}/firmware/SN-FW-1/", url);

        var whole = await _http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal(_image, await whole.Content.ReadAsByteArrayAsync());
        Assert.Equal("bytes", whole.Headers.AcceptRanges.Single());

        // A CPE resuming a broken transfer asks for the rest.
        using var resume = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { Range = new RangeHeaderValue(100_000, null) } };
        var rest = await _http.SendAsync(resume);
        Assert.Equal(HttpStatusCode.PartialContent, rest.StatusCode);
        Assert.Equal(_image[100_000..], await rest.Content.ReadAsByteArrayAsync());
        Assert.Equal(_image.Length, rest.Content.Headers.ContentRange!.Length);

        using var head = new HttpRequestMessage(HttpMethod.Head, url);
        var size = await _http.SendAsync(head);
        Assert.Equal(HttpStatusCode.OK, size.StatusCode);
        Assert.Equal(_image.Length, size.Content.Headers.ContentLength);
        Assert.Empty(await size.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_link_is_good_for_its_device_and_file_only()
    {
        var url = new Uri(Links.UrlFor("SN-FW-2", "HG8245-V3.bin"));
        var parts = url.AbsolutePath.Split('/'); // "", firmware, scope, token, file
        var token = parts[3];

        // Another device, another file, a tampered token, no token: the same bare 404.
        string[] refused =
        [
            $"http://127.0.0.1:{_imagePort}/firmware/SN-FW-3/{token}/HG8245-V3.bin",
            $"http://127.0.0.1:{_imagePort}/firmware/SN-FW-2/{token}/other.bin",
            $"http://127.0.0.1:{_imagePort}/firmware/SN-FW-2/{token[..^2]}AA/HG8245-V3.bin",
            $"http://127.0.0.1:{_imagePort}/firmware/SN-FW-2/x/HG8245-V3.bin",
            $"http://127.0.0.1:{_imagePort}/firmware/SN-FW-2/{token}/..%2Fetc%2Fpasswd",
        ];
        foreach (var wrong in refused)
        {
            var response = await _http.GetAsync(wrong);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        }
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(url)).StatusCode);
    }

    [Fact]
    public async Task The_northbound_listener_does_not_serve_images()
    {
        var url = new Uri(Links.UrlFor("SN-FW-4", "HG8245-V3.bin"));
        using var northbound = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        var response = await northbound.GetAsync(new Uri(new Uri(_system.GrpcAddress), url.PathAndQuery));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public void A_file_outside_the_folder_or_missing_gets_no_link_and_an_operator_url_is_kept()
    {
        Assert.Throws<FirmwareImageUnavailableException>(() => Links.UrlFor("SN-FW-5", "missing.bin"));
        Assert.Throws<FirmwareImageUnavailableException>(() => Links.UrlFor("SN-FW-5", "../HG8245-V3.bin"));
        Assert.Equal("https://fw.example.net/hg/V3.bin", Links.UrlFor("SN-FW-5", "https://fw.example.net/hg/V3.bin"));
    }

    /// <summary>Provisions a device on 1.2.3 whose model profile (a manufacturer of its own) targets a file of the folder.</summary>
    private async Task<(Contracts.Northbound.Workflow Workflow, DeviceScript Script, string Serial)> ProvisionWithFolderTargetAsync(string version, string file)
    {
        var helpers = OrchestratorFixture.Over(_adapter, _system);
        var manufacturer = "Fold" + Guid.NewGuid().ToString("N")[..8];
        await _system.Inventory.UpsertModelProfileAsync(new Contracts.Northbound.UpsertModelProfileRequest
        {
            Profile = new Contracts.Northbound.ModelProfile
            {
                Name = "fold-" + manufacturer.ToLowerInvariant(), Manufacturer = manufacturer, Model = "HG-100",
                Firmware = new Contracts.Northbound.FirmwareTarget { Version = version, Url = file },
            },
        });
        var script = new DeviceScript { Manufacturer = manufacturer, Model = "HG-100", FirmwareVersion = "1.2.3" };
        var serial = await helpers.RegisterAsync(script);
        var workflow = await _system.WaitForTerminalAsync((await helpers.ProvisionAsync(serial)).Workflow.WorkflowId);
        return (workflow, script, serial);
    }

    [Fact]
    public async Task A_model_profile_naming_a_folder_image_sends_the_device_a_link_of_its_own_with_the_size_and_checksum()
    {
        // A file of the folder: no size or checksum needed, the orchestrator knows them.
        var (workflow, script, serial) = await ProvisionWithFolderTargetAsync("2.0.1", "2.0.1.bin");

        Assert.Equal(Contracts.Northbound.WorkflowResult.Success, workflow.Result);
        var download = Assert.Single(script.Downloads);
        Assert.StartsWith($"http://127.0.0.1:{_imagePort}/firmware/{serial}/", download.Url);
        Assert.Equal((ulong)_image.Length, download.FileSize);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(_image)), download.Sha256);
        Assert.Equal("2.0.1.bin", download.TargetFileName);
        // The link works for that device, as a CPE fetches it.
        Assert.Equal(_image, await _http.GetByteArrayAsync(download.Url));
    }

    [Fact]
    public async Task A_folder_image_that_is_not_there_fails_the_upgrade_saying_so()
    {
        var (workflow, script, _) = await ProvisionWithFolderTargetAsync("3.0.0", "3.0.0.bin");

        Assert.Equal(Contracts.Northbound.WorkflowResult.FirmwareUpgradeFailed, workflow.Result);
        Assert.Contains("'3.0.0.bin' is not in the firmware image folder", workflow.FailureReason);
        Assert.Empty(script.Downloads);
    }

    [Fact]
    public async Task The_folder_gives_an_images_size_and_checksum()
    {
        var folder = _system.Services.GetRequiredService<FirmwareImageFolder>();
        var file = folder.Find("HG8245-V3.bin")!;
        Assert.Equal(_image.Length, file.Length);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(_image)), await folder.Sha256Async(file, CancellationToken.None));
    }
}
