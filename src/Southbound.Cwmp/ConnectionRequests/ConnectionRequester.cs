using Microsoft.Extensions.Logging;
using Provisioning.Southbound.Cwmp.Authentication;
using Provisioning.Southbound.Cwmp.Telemetry;

namespace Provisioning.Southbound.Cwmp.ConnectionRequests;

/// <summary>
/// Wakes a CPE with a Connection Request (TR-069 3.2.2): an HTTP GET to its ConnectionRequestURL, with
/// Digest (or Basic) auth when the CPE challenges. Retried with backoff until the caller's deadline; a busy
/// CPE answers 503 and is retried too. Each attempt is its own short connection (<see cref="ConnectionRequestExchange"/>):
/// CPEs' embedded servers are too varied for a strict HTTP client, and nothing of the ACS's trace context goes with it.
/// </summary>
public sealed class ConnectionRequester(ILogger<ConnectionRequester> logger)
{
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(3);

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
                if (status is 200 or 204)
                {
                    ConnectionRequestOutcome(serialNumber, url, "accepted", attempt);
                    return new ConnectionRequestResult(true, attempt, "accepted", target);
                }
                outcome = status switch
                {
                    503 => "HTTP 503: busy",
                    401 when username is not null => "HTTP 401: the device refused the Connection Request credentials",
                    401 => "HTTP 401: the device wants credentials and none are known for it",
                    _ => $"HTTP {status}",
                };
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (OperationCanceledException)
            {
                outcome = $"timed out after {AttemptTimeout.TotalSeconds} s during the TLS handshake";
            }
            catch (ConnectionRequestException ex)
            {
                outcome = ex.TimedOut ? $"timed out after {AttemptTimeout.TotalSeconds} s: {ex.Message}" : ex.Message;
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

    /// <summary>One attempt: the GET, and when the CPE challenges and credentials are known, the GET answering the challenge.</summary>
    private static async Task<int> AttemptAsync(Uri uri, string? username, string? password, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(AttemptTimeout);
        var first = await ConnectionRequestExchange.GetAsync(uri, null, ConnectTimeout, attempt.Token).ConfigureAwait(false);
        if (first.StatusCode != 401 || username is null) return first.StatusCode;

        string authorization;
        if (first.Challenge("Digest") is { } digest)
            authorization = DigestHeader.Authorize(DigestHeader.ParseParameters(digest), username, password ?? "", "GET", uri.PathAndQuery);
        else if (first.Challenge("Basic") is not null)
            authorization = "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{username}:{password}"));
        else return first.StatusCode;
        var second = await ConnectionRequestExchange.GetAsync(uri, authorization, ConnectTimeout, attempt.Token).ConfigureAwait(false);
        return second.StatusCode;
    }

    private void ConnectionRequestOutcome(string serialNumber, string url, string outcome, int attempt)
    {
        // A bounded set of metric values: the status, or whether the request was delivered at all.
        var kind = outcome.StartsWith("HTTP ", StringComparison.Ordinal) ? outcome[..Math.Min(8, outcome.Length)]
            : outcome.StartsWith("timed out", StringComparison.Ordinal) ? "timed out"
            : outcome.Contains("not delivered", StringComparison.Ordinal) ? "not delivered"
            : outcome == "accepted" || outcome.StartsWith("invalid", StringComparison.Ordinal) ? outcome : "failed";
        CwmpTelemetry.ConnectionRequests.Add(1, new KeyValuePair<string, object?>("cwmp.outcome", kind));
        CwmpLog.ConnectionRequestOutcome(logger, serialNumber, url, outcome, attempt);
    }
}
