namespace TokenPay.Gateway.Core;

/// <summary>A setting the gateway cannot start with; the message names the setting and what it must be, never a secret.</summary>
public sealed class GatewayConfigurationException(string message, Exception? inner = null) : Exception(message, inner);
