// The hosted form (/f/{slug}) inside a website's iframe: tells the page around it how tall it
// is, so embed.js can size the frame to the form (no inner scrollbar), at first and whenever
// the content changes (an error shown, the thank-you). Does nothing when not framed.
(function () {
  if (window.parent === window) return;
  var last = 0;
  var send = function () {
    var height = Math.ceil(document.documentElement.scrollHeight);
    if (height === last) return;
    last = height;
    // The parent's origin is unknown here (any of the form's websites): the message holds only a height.
    window.parent.postMessage({ leadbridge: "height", height: height, path: location.pathname }, "*");
  };
  if (window.ResizeObserver) new ResizeObserver(send).observe(document.body);
  window.addEventListener("load", send);
  send();
})();
