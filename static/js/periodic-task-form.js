// django-celery-beat's periodic task form in the admin: show the chosen crontab in plain English under the field.
// Its own template does this in an inline script, which the Content-Security-Policy refuses.
(function () {
  "use strict";
  var $ = django.jQuery;
  var readableCrontabs = JSON.parse(document.getElementById("readable-crontabs").textContent);
  var originalHelp = document.getElementById("periodic-task-overrides").dataset.crontabHelp;

  function showTranslation() {
    var help = $(".field-crontab .help");
    help.text(originalHelp);
    help.append("<br>", document.createTextNode("Translation: " + (readableCrontabs[$("#id_crontab").val()] || "")));
  }

  $(".field-crontab_translation").hide();
  $(".field-crontab").change(showTranslation);
})();
