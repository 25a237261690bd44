using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Provisioning.Simulators.Usp.Agents;

/// <summary>The input arguments of Device.DeviceInfo.FirmwareImage.{i}.Download() (TR-181).</summary>
public sealed record FirmwareDownload(string Url, bool AutoActivate, string? Username, string? Password, long FileSize, string? CheckSumAlgorithm, string? CheckSum)
{
    public static FirmwareDownload From(IReadOnlyDictionary<string, string> args) => new(
        args.GetValueOrDefault("URL") ?? "",
        args.GetValueOrDefault("AutoActivate") is "true" or "1",
        args.GetValueOrDefault("Username"),
        args.GetValueOrDefault("Password"),
        long.TryParse(args.GetValueOrDefault("FileSize"), out var size) ? size : 0,
        args.GetValueOrDefault("CheckSumAlgorithm"),
        args.GetValueOrDefault("CheckSum"));
}

/// <summary>How a Download() ended: the image's version, or the USP error for OperationComplete's cmd_failure.</summary>
public sealed record FirmwareOutcome(string? Version, uint ErrCode, string ErrMsg, bool Corrupted = false)
{
    public bool Succeeded => ErrCode == 0;
}

/// <summary>
/// Fetches a firmware image over HTTP(S) for real, answering a Basic or Digest challenge with the Download()'s
/// Username/Password and checking FileSize and CheckSum. TR-369 has no transfer-specific error codes, so every
/// failure is 7022 (command failure) with what went wrong in err_msg; an unusable argument is 7027.
/// Version convention (shared with the CWMP simulator and tests/Interop): the image starts with the line
/// "CPE-FIRMWARE &lt;version&gt;\n"; without it the version is the URL's last path segment without its extension.
/// Hosts under the reserved ".example" domain (RFC 2606) never resolve: they stand for a valid image that is not fetched.
/// </summary>
public static class FirmwareTransfer
{
    public const uint CommandFailure = 7022;
    public const uint InvalidArguments = 7027;
    private const string Marker = "CPE-FIRMWARE ";

    private static readonly HttpClient Http = new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10), UseCookies = false }) { Timeout = TimeSpan.FromSeconds(60) };

    public static async Task<FirmwareOutcome> FetchAsync(FirmwareDownload download, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(download.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            return new FirmwareOutcome(null, InvalidArguments, "unsupported URL " + download.Url);
        if (url.Host.EndsWith(".example", StringComparison.OrdinalIgnoreCase)) return new FirmwareOutcome(VersionOf([], url), 0, "");
        try
        {
            string? authorization = null;
            for (var attempt = 0; ; attempt++)
            {
                using var get = new HttpRequestMessage(HttpMethod.Get, url);
                if (authorization is not null) get.Headers.TryAddWithoutValidation("Authorization", authorization);
                using var response = await Http.SendAsync(get, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.Unauthorized)
                {
                    if (attempt > 0 || string.IsNullOrEmpty(download.Username)) return new FirmwareOutcome(null, CommandFailure, "file server authentication failure");
                    authorization = Answer(response.Headers.WwwAuthenticate, download.Username, download.Password ?? "", url.PathAndQuery);
                    if (authorization is null) return new FirmwareOutcome(null, CommandFailure, "file server authentication failure");
                    continue;
                }
                if (!response.IsSuccessStatusCode) return new FirmwareOutcome(null, CommandFailure, $"file server answered HTTP {(int)response.StatusCode}");
                var image = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                if (download.FileSize > 0 && image.LongLength != download.FileSize)
                    return new FirmwareOutcome(null, CommandFailure, $"file corrupted: {image.LongLength} bytes, FileSize {download.FileSize}", Corrupted: true);
                if (!string.IsNullOrEmpty(download.CheckSum))
                {
                    var actual = Hash(download.CheckSumAlgorithm, image);
                    if (actual is null) return new FirmwareOutcome(null, InvalidArguments, "unsupported CheckSumAlgorithm " + download.CheckSumAlgorithm);
                    if (!actual.Equals(download.CheckSum, StringComparison.OrdinalIgnoreCase))
                        return new FirmwareOutcome(null, CommandFailure, "file corrupted: checksum mismatch", Corrupted: true);
                }
                return new FirmwareOutcome(VersionOf(image, url), 0, "");
            }
        }
        catch (HttpRequestException ex)
        {
            return new FirmwareOutcome(null, CommandFailure, "unable to contact file server: " + ex.Message);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new FirmwareOutcome(null, CommandFailure, "download timed out");
        }
    }

    public static string VersionOf(ReadOnlySpan<byte> image, Uri url)
    {
        var marker = Encoding.ASCII.GetBytes(Marker);
        if (image.StartsWith(marker))
        {
            var rest = image[marker.Length..];
            var end = rest.IndexOf((byte)'\n');
            var version = Encoding.UTF8.GetString(end < 0 ? rest : rest[..end]).Trim();
            if (version.Length > 0) return version;
        }
        var name = Uri.UnescapeDataString(url.Segments[^1]).TrimEnd('/');
        var dot = name.LastIndexOf('.');
        return dot > 0 ? name[..dot] : name;
    }

    // TR-181 CheckSumAlgorithm values; the CheckSum is hex.
    private static string? Hash(string? algorithm, byte[] image) => algorithm switch
    {
        "SHA-1" => Convert.ToHexString(SHA1.HashData(image)),
        "SHA-256" or null or "" => Convert.ToHexString(SHA256.HashData(image)),
        "SHA-384" => Convert.ToHexString(SHA384.HashData(image)),
        "SHA-512" => Convert.ToHexString(SHA512.HashData(image)),
        _ => null,
    };

    private static string? Answer(HttpHeaderValueCollection<AuthenticationHeaderValue> challenges, string user, string password, string uri)
    {
        var digest = challenges.FirstOrDefault(c => c.Scheme.Equals("Digest", StringComparison.OrdinalIgnoreCase));
        if (digest is not null)
        {
            var p = ParseChallenge(digest.Parameter ?? "");
            var realm = p.GetValueOrDefault("realm") ?? "";
            var nonce = p.GetValueOrDefault("nonce") ?? "";
            var cnonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
            static string Md5(string s) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(s)));
            var ha1 = Md5($"{user}:{realm}:{password}");
            var ha2 = Md5($"GET:{uri}");
            var qop = p.GetValueOrDefault("qop")?.Split(',').Select(q => q.Trim()).Contains("auth") == true;
            var response = qop ? Md5($"{ha1}:{nonce}:00000001:{cnonce}:auth:{ha2}") : Md5($"{ha1}:{nonce}:{ha2}");
            var header = $"Digest username=\"{user}\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{uri}\", algorithm=MD5, response=\"{response}\"";
            if (qop) header += $", qop=auth, nc=00000001, cnonce=\"{cnonce}\"";
            if (p.TryGetValue("opaque", out var opaque)) header += $", opaque=\"{opaque}\"";
            return header;
        }
        return challenges.Any(c => c.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
            ? "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"))
            : null;
    }

    private static Dictionary<string, string> ParseChallenge(string header)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(header, "(\\w+)=(?:\"([^\"]*)\"|([^,\\s]*))"))
            result[m.Groups[1].Value] = m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Value;
        return result;
    }
}
