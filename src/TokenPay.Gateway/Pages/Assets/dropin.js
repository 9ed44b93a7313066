// TokenPay Drop-in: include with <script src="https://GATEWAY/dropin/v1/dropin.js"></script>, then
//   TokenPayDropin.mount("#card", { clientKey, sessionKey, onPaymentToken: function (t) { ... }, onError: function (e) { ... } });
// The card fields live in a frame served by the gateway: the page never sees the card, only a
// one-time paymentToken (and the masked card) to give its own server, which pays with orderAndPay.
(function () {
  "use strict";
  var gateway = new URL(document.currentScript.src).origin;

  window.TokenPayDropin = {
    mount: function (selector, options) {
      var host = typeof selector === "string" ? document.querySelector(selector) : selector;
      if (!host) throw new Error("TokenPayDropin: no element matches " + selector);
      if (!options || !options.clientKey || !options.sessionKey) throw new Error("TokenPayDropin: clientKey and sessionKey are required");

      var frame = document.createElement("iframe");
      frame.title = "Card details";
      frame.style.width = "100%";
      frame.style.border = "0";
      frame.style.minHeight = "360px";
      frame.src = gateway + "/dropin/v1/frame?clientKey=" + encodeURIComponent(options.clientKey)
        + "&sessionKey=" + encodeURIComponent(options.sessionKey)
        + "&origin=" + encodeURIComponent(window.location.origin);

      function onMessage(event) {
        if (event.origin !== gateway || event.source !== frame.contentWindow) return;
        var data = event.data || {};
        if (data.type === "tokenpay:payment-token" && options.onPaymentToken) {
          options.onPaymentToken({ paymentToken: data.paymentToken, brand: data.brand, maskedCard: data.maskedCard });
        } else if (data.type === "tokenpay:error" && options.onError) {
          options.onError({ field: data.field, message: data.message });
        } else if (data.type === "tokenpay:resize" && data.height) {
          frame.style.height = Math.max(360, data.height + 8) + "px";
        }
      }

      window.addEventListener("message", onMessage);
      host.appendChild(frame);
      return { unmount: function () { window.removeEventListener("message", onMessage); frame.remove(); } };
    }
  };
})();
