using System.Threading.Channels;

namespace TokenPay.Gateway.Core;

/// <summary>One entry of the gateway's event log.</summary>
/// <param name="Kind">What happened: <c>notification.attempt</c>, <c>fault.fired</c>, <c>clock.moved</c>, <c>request</c>...</param>
/// <param name="Data">Its facts by name (order numbers, codes, times); never card data, keys or signatures.</param>
public sealed record GatewayEvent(long Id, DateTimeOffset At, string Kind, string Message, IReadOnlyDictionary<string, string?>? Data);

/// <summary>
/// The gateway's recent events, in memory on this node: the last <see cref="Kept"/> for the console and the
/// command line, and a live feed (server-sent events at <c>/admin/events</c>). Request lines are only kept while
/// someone listens (<c>logs tail</c>), so serving does not pay for a log nobody reads.
/// </summary>
internal sealed class GatewayEvents(TimeProvider clock)
{
    public const int Kept = 1000;

    private readonly Lock _lock = new();
    private readonly Queue<GatewayEvent> _recent = new();
    private readonly List<Channel<GatewayEvent>> _listeners = [];
    private long _lastId;
    private volatile bool _listened;

    /// <summary>The newest event's id (0 before any): where a page's live feed starts.</summary>
    public long LastId => Interlocked.Read(ref _lastId);

    /// <summary>True while a live feed is open.</summary>
    public bool Listened => _listened;

    public void Publish(string kind, string message, IReadOnlyDictionary<string, string?>? data = null)
    {
        lock (_lock)
        {
            var entry = new GatewayEvent(++_lastId, clock.GetUtcNow(), kind, message, data);
            _recent.Enqueue(entry);
            if (_recent.Count > Kept)
            {
                _recent.Dequeue();
            }

            foreach (var listener in _listeners)
            {
                listener.Writer.TryWrite(entry);
            }
        }
    }

    /// <summary>The kept events after <paramref name="afterId"/>, oldest first.</summary>
    public IReadOnlyList<GatewayEvent> Since(long afterId)
    {
        lock (_lock)
        {
            return [.. _recent.Where(e => e.Id > afterId)];
        }
    }

    /// <summary>The kept events after <paramref name="afterId"/>, then each new one as it happens, until cancelled.</summary>
    public async IAsyncEnumerable<GatewayEvent> FollowAsync(long afterId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // A slow reader loses its oldest unread events rather than holding memory or the publishers.
        var feed = Channel.CreateBounded<GatewayEvent>(new BoundedChannelOptions(Kept) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        IReadOnlyList<GatewayEvent> backlog;
        lock (_lock)
        {
            backlog = [.. _recent.Where(e => e.Id > afterId)];
            _listeners.Add(feed);
            _listened = true;
        }

        try
        {
            foreach (var entry in backlog)
            {
                yield return entry;
            }

            await foreach (var entry in feed.Reader.ReadAllAsync(cancellationToken))
            {
                yield return entry;
            }
        }
        finally
        {
            lock (_lock)
            {
                _listeners.Remove(feed);
                _listened = _listeners.Count > 0;
            }
        }
    }
}
