// The next-cohort page: a changed skill, seat count or year shows its plan at once (the
// form still works without scripts through its button).
(function () {
  "use strict";
  var form = document.getElementById("plan-form");
  if (!form) { return; }
  ["plan-skill", "plan-seats", "plan-year"].forEach(function (id) {
    var field = document.getElementById(id);
    field.addEventListener("change", function () {
      if (field.checkValidity()) { form.requestSubmit ? form.requestSubmit() : form.submit(); }
    });
  });
})();
