// A form marked data-submit-once sends one request: its submit buttons are disabled
// as it leaves, so a double click cannot post it twice (the server's one-time token,
// keel/core/submissions.py, refuses a second post that still gets through).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches("form[data-submit-once]")) return;
  if (form.dataset.submitted === "true") {
    event.preventDefault();
    return;
  }
  form.dataset.submitted = "true";
  // Disabled after the browser has collected the form data of this submission.
  setTimeout(function () {
    form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) {
      b.disabled = true;
      b.setAttribute("aria-busy", "true");
    });
  }, 0);
});
