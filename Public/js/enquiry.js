// The enquiry page: live RingOut status and the SMS character counter. Served from 'self'
// because the CSP allows no inline script; the page works without it.
(function () {
  var box = document.getElementById("ringout");
  if (box && box.dataset.final !== "true") {
    var statusText = document.getElementById("ringout-status");
    var cancel = document.getElementById("ringout-cancel");
    var poll = function () {
      fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json().then(function (body) { return { ok: response.ok, body: body }; }); })
        .then(function (result) {
          statusText.textContent = result.ok ? result.body.text : (result.body.reason || "Status unavailable");
          if (!result.ok || result.body.final) { if (cancel) cancel.remove(); return; }
          setTimeout(poll, 2000);
        })
        .catch(function () { setTimeout(poll, 5000); });
    };
    setTimeout(poll, 1500);
  }
  var text = document.getElementById("sms-text");
  if (text) {
    var count = document.getElementById(text.dataset.counter);
    var update = function () { count.textContent = String(text.value.length); };
    text.addEventListener("input", update);
    update();
  }
})();
