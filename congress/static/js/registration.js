// Keeps the seats shown on the registration form up to date (the form works without it).
(function () {
  "use strict";
  var form = document.querySelector("form[data-seats-url]");
  if (!form || !window.fetch) { return; }
  var lang = document.documentElement.lang || "nl";
  var words = lang === "en"
    ? { left: " seats left", one: "1 seat left", full: "Full: you join the waiting list" }
    : { left: " plaatsen vrij", one: "1 plaats vrij", full: "Vol: u komt op de wachtlijst" };
  function refresh() {
    fetch(form.dataset.seatsUrl, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (sessions) {
        sessions.forEach(function (s) {
          var el = form.querySelector('.seats[data-session="' + s.id + '"]');
          if (!el || s.seats_left === null) { return; }
          el.textContent = s.seats_left === 0 ? words.full : (s.seats_left === 1 ? words.one : s.seats_left + words.left);
          el.classList.toggle("seats--full", s.seats_left === 0);
        });
      })
      .catch(function () {});
  }
  window.setInterval(refresh, 30000);
})();
