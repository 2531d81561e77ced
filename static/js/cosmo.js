// Cosmo's own script, served as a file: the Content-Security-Policy allows no inline script.
// A form with data-confirm asks before it is sent (e.g. cancelling an order).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
}, true);
