using System.Globalization;
using System.Security.Cryptography;

namespace Provisioning.Southbound.Cwmp.Authentication;

/// <summary>What the table knows of a nonce a client answered with.</summary>
public enum NonceState
{
    /// <summary>Issued by this ACS, not expired.</summary>
    Valid,
    /// <summary>Never issued here, evicted, or from before a restart or from another instance: challenge again with stale=true.</summary>
    Unknown,
    /// <summary>Issued here but older than the nonce lifetime: challenge again with stale=true.</summary>
    Expired,
}

/// <summary>The verdict on one use of a nonce by an Authorization header whose response was right.</summary>
public enum NonceUse
{
    Accepted,
    /// <summary>The nonce count is not greater than one already seen (or an RFC 2069 nonce was used before): a replayed header.</summary>
    Replayed,
    /// <summary>The nonce was issued to another client address: a header captured and sent from elsewhere.</summary>
    OtherClient,
    /// <summary>qop is set but nc is missing or not 8 hex digits.</summary>
    Malformed,
    /// <summary>Gone meanwhile (expired or evicted): challenge again with stale=true.</summary>
    Stale,
}

/// <summary>
/// The Digest nonces this ACS issued (RFC 7616 §3.3, §5.12): random, remembered server-side with the client address they
/// were issued to, expiring after <see cref="CwmpAuthOptions.NonceLifetime"/>, and with the highest nonce count seen, so
/// a replayed Authorization header (same nonce, nc not greater) is told apart from a CPE that reuses its nonce with
/// increasing nc as RFC 7616 allows. The table is bounded (<see cref="CwmpAuthOptions.MaxNonces"/>): a flood of
/// challenges evicts the oldest nonces, whose CPEs then get a stale challenge and answer it, instead of growing memory.
/// </summary>
public sealed class DigestNonces(CwmpOptions options, TimeProvider time)
{
    private sealed class Entry(string? client, long issuedAt)
    {
        public readonly string? Client = client;
        public readonly long IssuedAt = issuedAt;
        /// <summary>Highest nc accepted; -1 before the first use. An RFC 2069 (no qop) use sets it to long.MaxValue: once only.</summary>
        public long LastCount = -1;
    }

    private readonly Lock gate = new();
    private readonly Dictionary<string, Entry> entries = new(StringComparer.Ordinal);
    // Issue order, for eviction and expiry (the lifetime is the same for all, so the oldest expires first).
    private readonly Queue<(string Nonce, Entry Entry)> order = new();
    private readonly long lifetimeTicks = Math.Max(1, (long)(options.Auth.NonceLifetime.TotalSeconds * time.TimestampFrequency));
    private readonly int capacity = Math.Max(1, options.Auth.MaxNonces);

    public int Count
    {
        get
        {
            lock (gate) return entries.Count;
        }
    }

    /// <summary>A new nonce for a challenge to <paramref name="client"/> (its remote address).</summary>
    public string Issue(string? client)
    {
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var now = time.GetTimestamp();
        lock (gate)
        {
            // Expired ones first, then the oldest beyond the bound.
            while (order.TryPeek(out var head) && (now - head.Entry.IssuedAt > lifetimeTicks || entries.Count >= capacity))
            {
                order.Dequeue();
                if (entries.TryGetValue(head.Nonce, out var current) && ReferenceEquals(current, head.Entry)) entries.Remove(head.Nonce);
            }
            var entry = new Entry(client, now);
            entries[nonce] = entry;
            order.Enqueue((nonce, entry));
        }
        return nonce;
    }

    /// <summary>Whether the nonce is one of ours and still fresh (before anything is looked up for the header).</summary>
    public NonceState Check(string nonce)
    {
        lock (gate)
        {
            if (!entries.TryGetValue(nonce, out var entry)) return NonceState.Unknown;
            return time.GetTimestamp() - entry.IssuedAt > lifetimeTicks ? NonceState.Expired : NonceState.Valid;
        }
    }

    /// <summary>
    /// Records a use of the nonce by a header whose response was verified. <paramref name="nonceCount"/> is the header's
    /// nc (null for the RFC 2069 form, which has none and may use a nonce once only).
    /// </summary>
    public NonceUse Use(string nonce, string? client, string? nonceCount)
    {
        long count;
        if (nonceCount is null) count = long.MaxValue;
        else if (!TryParseCount(nonceCount, out count)) return NonceUse.Malformed;
        lock (gate)
        {
            if (!entries.TryGetValue(nonce, out var entry) || time.GetTimestamp() - entry.IssuedAt > lifetimeTicks) return NonceUse.Stale;
            if (!string.Equals(entry.Client, client, StringComparison.Ordinal)) return NonceUse.OtherClient;
            if (count <= entry.LastCount || entry.LastCount == long.MaxValue) return NonceUse.Replayed;
            entry.LastCount = count;
            return NonceUse.Accepted;
        }
    }

    /// <summary>
    /// Notes the nc of a verified header on a request its session already vouches for (same connection): nothing is
    /// refused, but a later replay of that header as a new session's Inform finds its count taken.
    /// </summary>
    public void Observe(string nonce, string? client, string? nonceCount)
    {
        long count;
        if (nonceCount is null) count = long.MaxValue;
        else if (!TryParseCount(nonceCount, out count)) return;
        lock (gate)
        {
            if (entries.TryGetValue(nonce, out var entry) && string.Equals(entry.Client, client, StringComparison.Ordinal) && count > entry.LastCount)
                entry.LastCount = count;
        }
    }

    private static bool TryParseCount(string text, out long count)
    {
        count = 0;
        return text.Length == 8 && long.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out count);
    }
}
