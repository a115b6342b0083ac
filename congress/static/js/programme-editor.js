// Schedule editor: drag a session onto another room/time cell. Without JavaScript the plain
// "Move a session" form below the grid does the same. The server checks and answers in JSON.
(function () {
  "use strict";
  var grid = document.querySelector(".schedule-editor");
  if (!grid) { return; }
  var status = document.getElementById("schedule-status");
  var token = document.querySelector("input[name=csrf_token]");
  var dragged = null;

  function say(text, ok) {
    if (!status) { return; }
    status.textContent = text;
    status.className = "utrecht-alert utrecht-alert--" + (ok ? "ok" : "error");
  }

  document.querySelectorAll("[data-session][draggable=true]").forEach(function (item) {
    item.addEventListener("dragstart", function (event) {
      dragged = item.getAttribute("data-session");
      event.dataTransfer.setData("text/plain", dragged);
      event.dataTransfer.effectAllowed = "move";
      item.classList.add("grid-session--dragging");
    });
    item.addEventListener("dragend", function () { item.classList.remove("grid-session--dragging"); });
  });

  grid.querySelectorAll(".drop-target").forEach(function (cell) {
    cell.addEventListener("dragover", function (event) {
      event.preventDefault();
      cell.classList.add("drop-target--over");
    });
    cell.addEventListener("dragleave", function () { cell.classList.remove("drop-target--over"); });
    cell.addEventListener("drop", function (event) {
      event.preventDefault();
      cell.classList.remove("drop-target--over");
      var sessionId = event.dataTransfer.getData("text/plain") || dragged;
      if (!sessionId) { return; }
      var body = new URLSearchParams();
      body.set("csrf_token", token ? token.value : "");
      body.set("session_id", sessionId);
      body.set("room_id", cell.getAttribute("data-room"));
      body.set("day", grid.getAttribute("data-day"));
      body.set("start", cell.getAttribute("data-start"));
      fetch(grid.getAttribute("data-move-url"), {
        method: "POST",
        headers: {"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"},
        body: body.toString(),
        credentials: "same-origin"
      }).then(function (response) {
        return response.json().then(function (data) { return {ok: response.ok && data.ok, data: data}; });
      }).then(function (result) {
        say(result.data.message, result.ok);
        if (result.ok) { window.location.reload(); }
      }).catch(function () { say(grid.getAttribute("data-error") || "Error", false); });
    });
  });
})();
