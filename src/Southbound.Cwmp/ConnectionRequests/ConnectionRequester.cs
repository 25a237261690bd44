using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Provisioning.Southbound.Cwmp.Authentication;
using Provisioning.Southbound.Cwmp.Telemetry;

namespace Provisioning.Southbound.Cwmp.ConnectionRequests;

/// <summary>
/// Wakes a CPE with a Connection Request (TR-069 3.2.2): an HTTP GET to its ConnectionRequestURL, with
/// Digest (or Basic) auth when the CPE challenges. Retried with backoff until the caller's deadline; a busy
/// CPE answers 503 and is retried too. One pooled HttpClient serves every device.
/// </summary>
public sealed class ConnectionRequester(ILogger<ConnectionRequester> logger) : IDisposable
{
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(5);

    private readonly HttpClient http = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectTimeout = TimeSpan.FromSeconds(3),
        AllowAutoRedirect = false,
        UseCookies = false,
        MaxConnectionsPerServer = 4,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>Accepted when the CPE answered 200/204 before the token fired; else the last answer seen.</summary>
    public async Task<ConnectionRequestResult> RequestAsync(string serialNumber, string url, string? username, string? password, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            ConnectionRequestOutcome(serialNumber, url, "invalid ConnectionRequestURL", 0);
            return new ConnectionRequestResult(false, 0, "invalid ConnectionRequestURL", "the recorded URL");
        }
        // Never repeat credentials a CPE may have put in its URL.
        var target = uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
        var delay = TimeSpan.FromMilliseconds(200);
        var lastOutcome = "no answer before the deadline";
        var attempt = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            attempt++;
            string outcome;
            try
            {
                var status = await AttemptAsync(uri, username, password, cancellationToken).ConfigureAwait(false);
                if (status is HttpStatusCode.OK or HttpStatusCode.NoContent)
                {
                    ConnectionRequestOutcome(serialNumber, url, "accepted", attempt);
                    return new ConnectionRequestResult(true, attempt, "accepted", target);
                }
                outcome = status switch
                {
                    HttpStatusCode.ServiceUnavailable => "busy (503)",
                    HttpStatusCode.Unauthorized when username is not null => "HTTP 401: the device refused the Connection Request credentials",
                    HttpStatusCode.Unauthorized => "HTTP 401: the device wants credentials and none are known for it",
                    _ => $"HTTP {(int)status}",
                };
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
            {
                outcome = ex is OperationCanceledException ? "no answer" : $"failed: {ex.Message}";
            }
            lastOutcome = outcome;
            ConnectionRequestOutcome(serialNumber, url, outcome, attempt);
            try
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 2000));
        }
        return new ConnectionRequestResult(false, attempt, lastOutcome, target);
    }

    private async Task<HttpStatusCode> AttemptAsync(Uri uri, string? username, string? password, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(AttemptTimeout);
        using var first = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, attempt.Token).ConfigureAwait(false);
        if (first.StatusCode != HttpStatusCode.Unauthorized || username is null) return first.StatusCode;

        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        var digest = first.Headers.WwwAuthenticate.FirstOrDefault(h => h.Scheme.Equals("Digest", StringComparison.OrdinalIgnoreCase));
        if (digest is not null)
        {
            var challenge = DigestHeader.ParseParameters(digest.Parameter);
            request.Headers.TryAddWithoutValidation("Authorization", DigestHeader.Authorize(challenge, username, password ?? "", "GET", uri.PathAndQuery));
        }
        else if (first.Headers.WwwAuthenticate.Any(h => h.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase)))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{username}:{password}")));
        }
        else return first.StatusCode;
        using var second = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt.Token).ConfigureAwait(false);
        return second.StatusCode;
    }

    private void ConnectionRequestOutcome(string serialNumber, string url, string outcome, int attempt)
    {
        CwmpTelemetry.ConnectionRequests.Add(1, new KeyValuePair<string, object?>("cwmp.outcome", outcome.StartsWith("failed", StringComparison.Ordinal) ? "failed" : outcome));
        CwmpLog.ConnectionRequestOutcome(logger, serialNumber, url, outcome, attempt);
    }

    public void Dispose() => http.Dispose();
}
