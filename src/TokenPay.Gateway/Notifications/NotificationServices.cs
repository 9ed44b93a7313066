using TokenPay.Gateway.Core;

namespace TokenPay.Gateway.Notifications;

/// <summary>The outbox's delivery: building, signalling, sending, dispatching and re-sending notifications.</summary>
internal static class NotificationServices
{
    public static IServiceCollection AddNotifications(this IServiceCollection services, NotificationOptions options)
    {
        services.AddSingleton<NotificationFactory>();
        services.AddSingleton<NotificationSignal>();
        services.AddSingleton(sp =>
        {
            var handler = new SocketsHttpHandler();
            NotificationSender.ConfigureHandler(handler, options.AllowPrivateNetworks);
            return ActivatorUtilities.CreateInstance<NotificationSender>(sp, new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan });
        });
        services.AddSingleton<INotificationSender>(sp => sp.GetRequiredService<NotificationSender>());
        services.AddSingleton<NotificationDispatcher>();
        services.AddSingleton<NotificationResender>();
        services.AddSingleton<OutboxBacklog>();
        return services;
    }
}
