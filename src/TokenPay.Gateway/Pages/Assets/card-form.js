// Client-side checks of the card form (cashier and Drop-in frame). The server checks everything again.
(function () {
  "use strict";
  var form = document.getElementById("card-form");
  if (!form) return;

  function digits(value) { return value.replace(/[\s-]/g, ""); }

  function luhn(pan) {
    var sum = 0, double = false;
    for (var i = pan.length - 1; i >= 0; i--) {
      var d = pan.charCodeAt(i) - 48;
      if (double) { d *= 2; if (d > 9) d -= 9; }
      sum += d; double = !double;
    }
    return sum % 10 === 0;
  }

  function brand(pan) { return /^3[47]/.test(pan) ? "AMEX" : "OTHER"; }

  function problems() {
    var pan = digits(form.cardIdentifierNo.value);
    var month = form.cardExpirationMonth.value.trim();
    var year = form.cardExpirationYear.value.trim();
    var cvv = form.cvv.value.trim();
    var found = [];
    if (!/^[0-9]{12,19}$/.test(pan)) found.push(["cardIdentifierNo", "A card number has 12 to 19 digits."]);
    else if (!luhn(pan)) found.push(["cardIdentifierNo", "This card number is not valid; check it and try again."]);
    if (!/^(0?[1-9]|1[0-2])$/.test(month)) found.push(["cardExpirationMonth", "The expiry month is 01 to 12."]);
    if (!/^([0-9]{2}|[0-9]{4})$/.test(year)) found.push(["cardExpirationYear", "Enter the expiry year as YY."]);
    else {
      var fullYear = year.length === 2 ? 2000 + parseInt(year, 10) : parseInt(year, 10);
      var now = new Date();
      var m = parseInt(month, 10);
      if (m && (fullYear < now.getFullYear() || (fullYear === now.getFullYear() && m < now.getMonth() + 1)))
        found.push(["cardExpirationYear", "This card has expired."]);
    }
    var cvvLength = brand(pan) === "AMEX" ? 4 : 3;
    if (!new RegExp("^[0-9]{" + cvvLength + "}$").test(cvv)) found.push(["cvv", "The security code has " + cvvLength + " digits."]);
    if (form.country && !form.country.value) found.push(["country", "Choose the country you are paying from."]);
    return found;
  }

  // Each error goes where the server puts it: under its field, or under the row of expiry and CVV fields
  // (inside the row it would squeeze them), in the fields' order. A new attempt replaces the server's errors too.
  function show(found) {
    var old = form.querySelectorAll("p.error[id^='error-']");
    for (var i = 0; i < old.length; i++) old[i].remove();
    var invalid = form.querySelectorAll("[aria-invalid]");
    for (var j = 0; j < invalid.length; j++) { invalid[j].removeAttribute("aria-invalid"); invalid[j].removeAttribute("aria-describedby"); }
    found.forEach(function (problem) {
      var input = form.elements[problem[0]];
      var p = document.createElement("p");
      p.className = "error";
      p.id = "error-" + problem[0];
      p.setAttribute("role", "alert");
      p.textContent = problem[1];
      var after = input.closest(".row") || input.closest("label");
      while (after.nextElementSibling && after.nextElementSibling.matches("p.error[id^='error-']")) after = after.nextElementSibling;
      after.insertAdjacentElement("afterend", p);
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", p.id);
    });
  }

  form.addEventListener("submit", function (event) {
    var found = problems();
    show(found);
    if (found.length > 0) {
      event.preventDefault();
      form.elements[found[0][0]].focus();
      return;
    }
    if (form.dataset.mode === "dropin") {
      event.preventDefault();
      window.TokenPayDropinFrame.submit(form);
    } else {
      form.querySelector("button[type=submit]").disabled = true;
    }
  });
})();
