/* Passkeys (WebAuthn): adding one at /account/security, signing in with one after the password
   (/login/code). The server's options come as JSON with base64url strings for the binary fields; the
   browser's answer goes back the same way. Shown only where the browser offers passkeys
   (window.PublicKeyCredential); every message is the page's (data-msg-*) or the server's, in the
   user's language. No inline script: the app's Content-Security-Policy allows none. */
(function () {
  "use strict";

  var supported = typeof window.PublicKeyCredential === "function" && !!navigator.credentials;

  function toBytes(text) {
    var base64 = String(text).replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) { base64 += "="; }
    var binary = window.atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return bytes.buffer;
  }

  function toText(buffer) {
    if (!buffer) { return null; }
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) { binary += String.fromCharCode(bytes[i]); }
    return window.btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      var copy = { type: item.type, id: toBytes(item.id) };
      if (item.transports) { copy.transports = item.transports; }
      return copy;
    });
  }

  function creationOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = toBytes(json.challenge);
    options.user = Object.assign({}, json.user, { id: toBytes(json.user.id) });
    options.excludeCredentials = descriptors(json.excludeCredentials);
    return options;
  }

  function requestOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = toBytes(json.challenge);
    options.allowCredentials = descriptors(json.allowCredentials);
    return options;
  }

  function common(credential) {
    return {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {}
    };
  }

  function registration(credential) {
    var answer = common(credential);
    var response = credential.response;
    answer.response = {
      clientDataJSON: toText(response.clientDataJSON),
      attestationObject: toText(response.attestationObject),
      transports: response.getTransports ? response.getTransports() : []
    };
    return answer;
  }

  function assertion(credential) {
    var answer = common(credential);
    var response = credential.response;
    answer.response = {
      clientDataJSON: toText(response.clientDataJSON),
      authenticatorData: toText(response.authenticatorData),
      signature: toText(response.signature),
      userHandle: toText(response.userHandle)
    };
    return answer;
  }

  function post(url, token, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, data: data };
      });
    });
  }

  function showError(box, message) {
    box.textContent = "";
    var line = document.createElement("p");
    line.textContent = message;
    box.appendChild(line);
    box.hidden = false;
  }

  function browserMessage(error, root) {
    if (error && error.name === "InvalidStateError" && root.dataset.msgExists) { return root.dataset.msgExists; }
    if (error && (error.name === "NotAllowedError" || error.name === "AbortError")) { return root.dataset.msgCancelled; }
    return root.dataset.msgFailed;
  }

  function ceremony(root, button, errorBox, body, makeOptions, call, encode, extra) {
    var token = root.querySelector("input[name=csrf_token]").value;
    errorBox.hidden = true;
    button.disabled = true;
    post(root.dataset.optionsUrl, token, body).then(function (answer) {
      if (!answer.ok) { throw { server: answer.data }; }
      return call(makeOptions(answer.data)).catch(function (error) { throw { browser: error }; });
    }).then(function (credential) {
      return post(root.dataset.verifyUrl, token, Object.assign({ credential: encode(credential) }, extra()));
    }).then(function (answer) {
      // Signed in or added: on to the next page. Sent back to the password (too many tries, too late):
      // the page there says why.
      if (answer.data && answer.data.redirect) {
        window.location.assign(answer.data.redirect);
        return;
      }
      throw { server: answer.data };
    }).catch(function (problem) {
      var message = root.dataset.msgFailed;
      if (problem && problem.server) {
        if (problem.server.redirect) { window.location.assign(problem.server.redirect); return; }
        message = problem.server.error || message;
      } else if (problem && problem.browser) {
        message = browserMessage(problem.browser, root);
      }
      showError(errorBox, message);
    }).then(function () { button.disabled = false; });
  }

  document.querySelectorAll("[data-passkey-unsupported]").forEach(function (node) { node.hidden = supported; });

  var adding = document.getElementById("passkey-add");
  if (adding && supported) {
    adding.hidden = false;
    var nameInput = adding.querySelector("#passkey-name");
    var addError = adding.querySelector("#passkey-add-error");
    var addButton = adding.querySelector("button[type=submit]");
    adding.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!nameInput.value.trim()) {
        nameInput.setAttribute("aria-invalid", "true");
        showError(addError, adding.dataset.msgName);
        nameInput.focus();
        return;
      }
      nameInput.removeAttribute("aria-invalid");
      ceremony(adding, addButton, addError, {}, creationOptions,
        function (publicKey) { return navigator.credentials.create({ publicKey: publicKey }); },
        registration, function () { return { name: nameInput.value }; });
    });
  }

  var signing = document.getElementById("passkey-sign-in");
  if (signing && supported) {
    signing.hidden = false;
    var signButton = signing.querySelector("#passkey-sign-in-button");
    var signError = signing.querySelector("#passkey-sign-in-error");
    signButton.addEventListener("click", function () {
      ceremony(signing, signButton, signError, {}, requestOptions,
        function (publicKey) { return navigator.credentials.get({ publicKey: publicKey }); },
        assertion, function () { return {}; });
    });
  }
})();
