// The hosted form (/f/{slug}) inside a website's iframe: tells the page around it how tall it
// is, so embed.js can size the frame to the form (no inner scrollbar), at first and whenever
// the content changes (an error shown, the thank-you). Does nothing when not framed.
(function () {
  if (window.parent === window) return;
  var last = 0;
  var send = function () {
    // The root element's own box, not scrollHeight: inside a frame scrollHeight is never less
    // than the frame, so a frame sized to a long form stayed that tall around a short thank-you.
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    // The parent's origin is unknown here (any of the form's websites): the message holds only a height.
    window.parent.postMessage({ leadbridge: "height", height: height, path: location.pathname }, "*");
  };
  if (window.ResizeObserver) new ResizeObserver(send).observe(document.body);
  window.addEventListener("load", send);
  send();
})();
