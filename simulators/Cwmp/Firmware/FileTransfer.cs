using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace Provisioning.Simulators.Cwmp.Firmware;

/// <summary>The arguments of a Download RPC the CPE acts on (TR-069 A.3.2.8).</summary>
public sealed record DownloadRequest(string CommandKey, string FileType, string Url, string? Username, string? Password, long FileSize, string? TargetFileName)
{
    public bool IsFirmware => FileType.StartsWith("1 ", StringComparison.Ordinal);
}

/// <summary>How a transfer ended: the TransferComplete FaultStruct (0 on success), its times and the image.</summary>
public sealed record TransferOutcome(uint FaultCode, string FaultString, DateTime StartTime, DateTime CompleteTime, byte[]? Image)
{
    public bool Succeeded => FaultCode == 0;
}

/// <summary>
/// Fetches a Download's file over HTTP(S) for real, answering a Basic or Digest challenge with the Download's
/// Username/Password, and maps what went wrong to the TR-069 fault codes a CPE puts in TransferComplete (A.5.1).
/// </summary>
public static class FileTransfer
{
    public static string FaultText(uint code) => code switch
    {
        0 => "",
        9010 => "File transfer failure",
        9012 => "File transfer server authentication failure",
        9013 => "Unsupported protocol for file transfer",
        9015 => "File transfer failure: unable to contact file server",
        9016 => "File transfer failure: unable to access file",
        9017 => "File transfer failure: unable to complete download",
        9018 => "File transfer failure: file corrupted",
        9019 => "File transfer failure: file authentication failure",
        _ => "File transfer failure",
    };

    public static async Task<TransferOutcome> DownloadAsync(HttpClient http, DownloadRequest request, CancellationToken cancellationToken)
    {
        var start = DateTime.UtcNow;
        TransferOutcome Failed(uint code, string? detail = null) =>
            new(code, detail is null ? FaultText(code) : $"{FaultText(code)}: {detail}", start, DateTime.UtcNow, null);

        if (!Uri.TryCreate(request.Url, UriKind.Absolute, out var url)) return Failed(9010, "not an absolute URL");
        if (url.Scheme is not ("http" or "https")) return Failed(9013, url.Scheme);
        try
        {
            Dictionary<string, string>? digest = null;
            var basic = false;
            for (var attempt = 0; ; attempt++)
            {
                using var get = new HttpRequestMessage(HttpMethod.Get, url);
                if (digest is not null)
                    get.Headers.TryAddWithoutValidation("Authorization", DigestCredentials.Authorization(digest, request.Username!, request.Password ?? "", "GET", url.PathAndQuery, attempt));
                else if (basic)
                    get.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{request.Username}:{request.Password}")));
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(60));
                using var response = await http.SendAsync(get, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.Unauthorized)
                {
                    // One answer to the challenge; a second 401 means the credential is wrong.
                    if (attempt > 0 || string.IsNullOrEmpty(request.Username)) return Failed(9012);
                    var challenge = response.Headers.WwwAuthenticate.FirstOrDefault(c => c.Scheme.Equals("Digest", StringComparison.OrdinalIgnoreCase));
                    if (challenge is not null) digest = DigestCredentials.Parse(challenge.Parameter ?? "");
                    else if (response.Headers.WwwAuthenticate.Any(c => c.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))) basic = true;
                    else return Failed(9012);
                    continue;
                }
                if (response.StatusCode is HttpStatusCode.Forbidden) return Failed(9012, "HTTP 403");
                if (!response.IsSuccessStatusCode) return Failed(9016, $"HTTP {(int)response.StatusCode}");
                byte[] image;
                try
                {
                    image = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (HttpRequestException ex)
                {
                    return Failed(9017, ex.Message); // the connection broke mid-transfer
                }
                // FileSize 0 means "not given" (A.3.2.8); a different length is a corrupted transfer.
                if (request.FileSize > 0 && image.LongLength != request.FileSize)
                    return Failed(9018, $"{image.LongLength} bytes, FileSize {request.FileSize}");
                return new TransferOutcome(0, "", start, DateTime.UtcNow, image);
            }
        }
        catch (HttpRequestException ex) when (ex.InnerException is SocketException || ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            return Failed(9015, ex.Message);
        }
        catch (HttpRequestException ex)
        {
            return Failed(9010, ex.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed(9017, "timed out");
        }
    }
}
