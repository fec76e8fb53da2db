/*
 * LeadBridge embed: <script src="https://leads.example.com/embed.js" data-form="contact" defer></script>
 *
 * - Upgrades every <form data-leadbridge> on the page: it is posted with fetch to
 *   /f/{form} (the form's data-leadbridge value, else the script's data-form), field errors are
 *   shown beside their fields, and success replaces the form in place. Nothing leaves the page
 *   and no cookie is used. With JavaScript off, or if LeadBridge cannot be reached, the same
 *   form posts as a plain HTML form (its action should be https://leads.example.com/f/{form}).
 * - Sizes every <iframe data-leadbridge> holding a hosted form to its content, and passes the
 *   page's attribution to it.
 * - Attribution: utm_* tags, gclid/fbclid/msclkid, the referrer and the landing page. The first
 *   touch is kept for 90 days in this site's own localStorage; the last touch is sent too.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var base = new URL(script.src).origin;
  var defaultForm = script.getAttribute("data-form") || "contact";
  var KEYS = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "gclid", "fbclid", "msclkid"];
  var FIRST = "leadbridge.first_touch";
  var DAYS_90 = 90 * 24 * 3600 * 1000;

  function thisVisit() {
    var params = new URLSearchParams(location.search);
    var touch = {};
    KEYS.forEach(function (key) { var value = params.get(key); if (value) touch[key] = value.slice(0, 500); });
    if (document.referrer) touch.referrer = document.referrer.slice(0, 1000);
    touch.landing_page = (location.origin + location.pathname + location.search).slice(0, 1000);
    return touch;
  }

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  // A visit counts as a touch when it says where it came from (a tag, a click id, another site).
  function isCampaign(touch) {
    if (KEYS.some(function (key) { return touch[key]; })) return true;
    try { return touch.referrer && new URL(touch.referrer).host !== location.host; } catch (e) { return false; }
  }

  var visit = thisVisit();
  var store = storage();
  var first = null;
  if (store) {
    try { first = JSON.parse(store.getItem(FIRST) || "null"); } catch (e) { first = null; }
    if (!first || !first.at || Date.now() - first.at > DAYS_90) first = null;
    if (!first && (isCampaign(visit) || !store.getItem(FIRST))) {
      first = { at: Date.now(), touch: visit };
      try { store.setItem(FIRST, JSON.stringify(first)); } catch (e) { /* storage full or blocked */ }
    }
  }
  var firstTouch = first ? first.touch : visit;

  function attach(body) {
    Object.keys(firstTouch).forEach(function (key) { if (!body.has(key)) body.set(key, firstTouch[key]); });
    body.set("last_touch", JSON.stringify(visit));
  }

  function clearErrors(form) {
    Array.prototype.forEach.call(form.querySelectorAll(".leadbridge-error"), function (node) { node.remove(); });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (node) { node.removeAttribute("aria-invalid"); });
  }

  function showError(form, name, sentence) {
    var field = form.querySelector('[name="' + (window.CSS && CSS.escape ? CSS.escape(name) : name) + '"]');
    var note = document.createElement("p");
    note.className = "leadbridge-error";
    note.setAttribute("role", "alert");
    note.textContent = sentence;
    if (field) {
      field.setAttribute("aria-invalid", "true");
      note.id = "leadbridge-error-" + name;
      field.setAttribute("aria-describedby", note.id);
      (field.closest("label") || field).insertAdjacentElement("afterend", note);
    } else {
      form.insertAdjacentElement("afterbegin", note);
    }
  }

  // The form's captcha (Turnstile or hCaptcha, Admin > Forms): its widget goes in before the
  // submit button and fills its token field, which the post carries. The provider's script is
  // loaded once; when the host page has it already, the widget is rendered through its API.
  function addCaptcha(form, captcha) {
    if (form.querySelector("." + captcha.widgetClass)) return;
    var box = document.createElement("div");
    box.className = captcha.widgetClass + " leadbridge-captcha";
    box.setAttribute("data-sitekey", captcha.siteKey);
    var button = form.querySelector("[type=submit]");
    // The button may sit inside a wrapper of the site's own (a <p>, a <div>).
    if (button && button.parentNode) button.parentNode.insertBefore(box, button); else form.appendChild(box);
    var api = window[captcha.provider === "turnstile" ? "turnstile" : "hcaptcha"];
    if (api && api.render) {
      // Kept, so that a reset after a refused post resets this form's widget and no other.
      var id = api.render(box, { sitekey: captcha.siteKey });
      if (id !== undefined && id !== null) box.setAttribute("data-leadbridge-widget", String(id));
      return;
    }
    if (document.querySelector('script[data-leadbridge-captcha="' + captcha.provider + '"]')) return;
    var script = document.createElement("script");
    script.src = captcha.script;
    script.async = true;
    script.setAttribute("data-leadbridge-captcha", captcha.provider);
    document.head.appendChild(script);
  }

  function resetCaptcha(form) {
    var box = form.querySelector(".leadbridge-captcha");
    if (!box) return;
    var api = window[box.classList.contains("cf-turnstile") ? "turnstile" : "hcaptcha"];
    // Rendered through the API: its id. Rendered by the provider's own script (the page had
    // none yet): no id, and both providers then reset the page's first widget.
    var id = box.getAttribute("data-leadbridge-widget");
    if (api && api.reset) { try { if (id !== null) api.reset(id); else api.reset(); } catch (ignored) { /* a fresh widget comes with the page */ } }
  }

  function upgrade(form) {
    var slug = form.getAttribute("data-leadbridge") || defaultForm;
    var endpoint = base + "/f/" + encodeURIComponent(slug);
    if (!form.getAttribute("action")) form.setAttribute("action", endpoint);
    form.setAttribute("method", "post");
    var sending = false;
    // When the form was shown, signed by LeadBridge (_ts): a bot posting at once is kept as spam.
    var stamp = null;
    if (window.fetch) {
      fetch(endpoint + "/stamp", { credentials: "omit", mode: "cors" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) { stamp = answer && answer.ts; if (answer && answer.captcha) addCaptcha(form, answer.captcha); })
        .catch(function () { /* no stamp: the form is still sent */ });
    }
    form.addEventListener("submit", function (event) {
      if (sending) { event.preventDefault(); return; }
      if (!window.fetch || !window.FormData) return;   // the plain post goes ahead
      event.preventDefault();
      sending = true;
      clearErrors(form);
      var button = form.querySelector("[type=submit]");
      if (button) button.disabled = true;
      var body = new FormData(form);
      attach(body);
      if (stamp && !body.has("_ts")) body.set("_ts", stamp);
      fetch(endpoint, { method: "POST", body: body, headers: { Accept: "application/json" }, credentials: "omit", mode: "cors" })
        .then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (answer) { return { status: response.status, answer: answer }; });
        })
        .then(function (result) {
          sending = false;
          if (button) button.disabled = false;
          if (result.status === 201 || result.status === 202) {
            var done = document.createElement("div");
            done.className = "leadbridge-thanks";
            done.setAttribute("role", "status");
            done.textContent = form.getAttribute("data-success") || "Thank you: your enquiry has reached us. We will be in touch soon.";
            form.replaceWith(done);
            return;
          }
          if (result.status === 422 && result.answer.fields) {
            resetCaptcha(form);   // a token answers one post: the next try needs a fresh one
            Object.keys(result.answer.fields).forEach(function (name) { showError(form, name, result.answer.fields[name]); });
            var invalid = form.querySelector("[aria-invalid]");
            if (invalid) invalid.focus();
            return;
          }
          resetCaptcha(form);
          showError(form, "", result.answer.error || result.answer.reason || "The form could not be sent; please try again in a moment.");
        })
        .catch(function () {
          // LeadBridge could not be reached by fetch (offline, blocked): post the plain form, so nothing is lost.
          sending = true;
          HTMLFormElement.prototype.submit.call(form);
        });
    });
  }

  function frame(iframe) {
    var slug = iframe.getAttribute("data-leadbridge") || defaultForm;
    var address = new URL(base + "/f/" + encodeURIComponent(slug));
    Object.keys(firstTouch).forEach(function (key) { address.searchParams.set(key, firstTouch[key]); });
    if (iframe.getAttribute("data-next")) address.searchParams.set("_next", iframe.getAttribute("data-next"));
    iframe.style.border = iframe.style.border || "0";
    iframe.style.width = iframe.style.width || "100%";
    iframe.setAttribute("title", iframe.getAttribute("title") || "Contact form");
    if (iframe.src === address.toString()) return;   // nothing to add: the page's own load stands
    // A fresh frame with the tagged address, in place of the one the page is still loading:
    // changing src during that first load sometimes lost to it in Chromium (the form came
    // without the page's tags, about one load in three).
    var fresh = iframe.cloneNode(false);
    fresh.src = address.toString();
    iframe.replaceWith(fresh);
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== base || !event.data || event.data.leadbridge !== "height") return;
    Array.prototype.forEach.call(document.querySelectorAll("iframe[data-leadbridge]"), function (iframe) {
      if (iframe.contentWindow === event.source) iframe.style.height = Math.max(120, Math.min(event.data.height, 10000)) + "px";
    });
  });

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-leadbridge]"), upgrade);
    Array.prototype.forEach.call(document.querySelectorAll("iframe[data-leadbridge]"), frame);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
