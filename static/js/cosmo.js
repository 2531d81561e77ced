// Cosmo's own script, served as a file: the Content-Security-Policy allows no inline script.
// A form with data-confirm asks before it is sent (e.g. cancelling an order).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
}, true);

// htmx leaves a 4xx answer unshown; Cosmo's refusals of bad input are meant to be read beside the action.
document.addEventListener("htmx:beforeSwap", function (event) {
  var xhr = event.detail.xhr;
  if (xhr.status >= 400 && xhr.status < 500 && xhr.getResponseHeader("X-Cosmo-Refusal")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
