using System.Net;
using System.Net.Sockets;

namespace TokenPay.Testing;

public static class FreePorts
{
    /// <summary>A port of 127.0.0.1 that nothing listens on now (for a process that must be told its port).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
