// Inside the gateway's Drop-in frame: posts the card to the gateway and hands the merchant page
// (only its own origin) the one-time payment token. Card data never leaves this frame's origin.
(function () {
  "use strict";
  var form = document.getElementById("card-form");
  var origin = form.dataset.origin;

  function post(message) { window.parent.postMessage(message, origin); }

  // The merchant page sizes the frame to its content: errors shown or cleared change the height.
  function resize() { post({ type: "tokenpay:resize", height: Math.ceil(document.body.getBoundingClientRect().height) }); }

  window.TokenPayDropinFrame = {
    submit: function (f) {
      var button = f.querySelector("button[type=submit]");
      var formError = document.getElementById("form-error");
      button.disabled = true;
      formError.textContent = "";
      fetch("/dropin/v1/tokens", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Dropin-Client-Key": f.dataset.clientKey, "X-Dropin-Session-Key": f.dataset.sessionKey },
        credentials: "omit",
        body: JSON.stringify({
          card: {
            cardIdentifierNo: f.cardIdentifierNo.value,
            cardHolderFullName: f.cardHolderFullName.value,
            cardExpirationMonth: f.cardExpirationMonth.value,
            cardExpirationYear: f.cardExpirationYear.value,
            cvv: f.cvv.value
          }
        })
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (result) {
        if (!result.ok) {
          formError.textContent = result.body.message || "The card could not be used.";
          button.disabled = false;
          post({ type: "tokenpay:error", field: result.body.field, message: result.body.message });
          return;
        }
        f.cardIdentifierNo.value = "";
        f.cvv.value = "";
        formError.textContent = "Card accepted: " + result.body.maskedCard;
        post({ type: "tokenpay:payment-token", paymentToken: result.body.paymentToken, brand: result.body.brand, maskedCard: result.body.maskedCard });
      }).catch(function () {
        formError.textContent = "The card could not be sent; try again.";
        button.disabled = false;
      });
    }
  };
  new ResizeObserver(resize).observe(document.body);
})();
