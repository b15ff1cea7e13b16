/*
 * outsales-gmail.js: the browser half of the OutSales Gmail integration. Vanilla JS, no build step, no
 * dependencies; works as a classic <script> (it defines window.OutSalesGmail) and in CommonJS.
 *
 *   <script src="outsales-gmail.js"></script>
 *   const gmail = OutSalesGmail.client({apiUrl: "https://api.example", getToken: () => myJwt()});
 *
 *   button.addEventListener("click", () => {        // call it in the click itself: see "Popups" below
 *     gmail.connectGmail({onFallback: () => showWaiting()})
 *       .then((result) => showConnected(result.email))   // result: {email, via: "message" | "status"}
 *       .catch((error) => showError(error.code, OutSalesGmail.describeError(error.code)));
 *   });
 *   gmail.getStatus();    // -> {status: "connected" | "disconnected" | "needs_reconnect", email, connected_at, ...}
 *   gmail.disconnect();   // -> the status after DELETE /gmail/connection
 *   gmail.listEmails();   // -> {items: [...], next_cursor}
 *
 * The same functions exist at the top level with the options inline:
 *   OutSalesGmail.connectGmail({apiUrl, getToken, ...}), OutSalesGmail.getStatus({apiUrl, getToken}), ...
 *
 * Options: apiUrl (the API's base URL; its origin is the only one whose messages are believed), getToken (returns
 * the JWT, or a promise of it; sent as "Authorization: Bearer"), fetch (defaults to window.fetch).
 * connectGmail also takes: popupName, popupFeatures, pollMs (how often to look at popup.closed, 250),
 * statusPollMs (how often to ask GET /gmail/status once contact is lost, 1500), fallbackMs (how long to keep asking,
 * 10 minutes: the life of a sign-in link), signal (an AbortSignal: aborting rejects with "aborted"),
 * onFallback (called once when the popup reports closed without having sent its result).
 *
 * Popups: browsers block a popup that is not opened by the user's click itself. connectGmail therefore opens an
 * empty popup synchronously, before anything asynchronous, and points it at Google once POST /gmail/connect has
 * answered. Call it directly in the click handler, not after an await.
 *
 * The result: the API's callback page, in the popup, posts {source: "outsales-gmail", status: "connected", email}
 * or {source: "outsales-gmail", status: "error", error: <code>} to window.opener and closes itself. A message is
 * believed only when it comes from the API's origin, from the popup this call opened, and has exactly that shape;
 * anything else is ignored.
 *
 * Contact lost: a Cross-Origin-Opener-Policy on a page along the way cuts the link between the two windows. The
 * popup then cannot post to us, and our handle on it reports closed = true at once, although the person is still
 * choosing an account. A popup closed by the person looks the same from here. So when the popup reports closed
 * without a result, connectGmail calls onFallback and asks GET /gmail/status until it shows a connection that was
 * not there when the call started (resolving with via: "status"), until fallbackMs pass (rejecting with
 * "popup_closed"), or until the signal aborts.
 *
 * Errors reject with an Error whose .code is one of: popup_blocked, popup_closed, aborted, network_error, the
 * callback's codes (access_denied, scope_missing, state_invalid, browser_mismatch, exchange_failed, gmail_unavailable), or the API's
 * error code (for example unauthorized); .status carries the HTTP status where there is one.
 */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else {
    root.OutSalesGmail = api;
  }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var SOURCE = "outsales-gmail";
  var CODE_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

  var ERROR_WORDS = {
    popup_blocked: "The browser blocked the Google window. Allow popups for this site and click Connect again.",
    popup_closed: "The Google window was closed before Gmail was connected.",
    aborted: "Connecting Gmail was cancelled.",
    network_error: "OutSales could not be reached. Check your connection and try again.",
    unauthorized: "Your session has expired. Sign in again.",
    access_denied: "You cancelled on Google's page, so Gmail was not connected.",
    scope_missing:
      "OutSales needs both permissions (send emails, read email metadata). Connect again and leave both ticked.",
    state_invalid: "This sign-in link has expired or was already used. Start again from OutSales.",
    browser_mismatch:
      "This sign-in was started in another browser or by someone else, so Gmail was not connected. Start again from OutSales in this browser.",
    exchange_failed: "Google did not complete the sign-in. Start again from OutSales.",
    gmail_unavailable: "This Google account has no Gmail. Connect an account that has Gmail.",
  };

  function describeError(code) {
    return ERROR_WORDS[code] || "Gmail was not connected. Try again.";
  }

  function GmailError(code, message, status) {
    var error = new Error(message || describeError(code));
    error.name = "OutSalesGmailError";
    error.code = code;
    if (status !== undefined) {
      error.status = status;
    }
    return error;
  }

  function trimSlash(url) {
    return String(url).replace(/\/+$/, "");
  }

  function originOf(url) {
    return new URL(url, typeof location !== "undefined" ? location.href : undefined).origin;
  }

  function settings(options) {
    if (!options || !options.apiUrl) {
      throw new TypeError("OutSalesGmail: apiUrl is required");
    }
    if (typeof options.getToken !== "function") {
      throw new TypeError("OutSalesGmail: getToken must be a function returning the JWT (or a promise of it)");
    }
    return {
      apiUrl: trimSlash(options.apiUrl),
      apiOrigin: originOf(options.apiUrl),
      getToken: options.getToken,
      fetch: options.fetch || (typeof fetch === "function" ? fetch.bind(typeof self !== "undefined" ? self : null) : null),
    };
  }

  // One request to the API with the bearer token; resolves with the JSON body, rejects with a GmailError.
  // withCredentials: only POST /gmail/connect, whose answer sets the cookie that binds the Google flow to this
  // browser (the callback refuses any other browser); every other call stays credential-free.
  function request(config, method, path, withCredentials) {
    return Promise.resolve()
      .then(function () {
        return config.getToken();
      })
      .then(function (token) {
        return config.fetch(config.apiUrl + path, {
          method: method,
          headers: {Authorization: "Bearer " + token, Accept: "application/json"},
          credentials: withCredentials ? "include" : "omit",
          cache: "no-store",
        });
      })
      .then(
        function (response) {
          return response.text().then(function (text) {
            var body = null;
            try {
              body = text ? JSON.parse(text) : null;
            } catch (ignored) {
              body = null;
            }
            if (!response.ok) {
              var code = body && typeof body.error === "string" ? body.error : "http_" + response.status;
              var words = body && typeof body.message === "string" ? body.message : undefined;
              throw GmailError(code, words, response.status);
            }
            return body;
          });
        },
        function (failure) {
          if (failure && failure.code) {
            throw failure;
          }
          throw GmailError("network_error", undefined);
        }
      );
  }

  function getStatus(options) {
    return request(settings(options), "GET", "/gmail/status");
  }

  function disconnect(options) {
    return request(settings(options), "DELETE", "/gmail/connection");
  }

  function listEmails(options) {
    var config = settings(options);
    var query = [];
    if (options.limit) {
      query.push("limit=" + encodeURIComponent(options.limit));
    }
    if (options.cursor) {
      query.push("cursor=" + encodeURIComponent(options.cursor));
    }
    return request(config, "GET", "/emails" + (query.length ? "?" + query.join("&") : ""));
  }

  // Is this the callback page's message? Exactly {source, status: "connected", email} or {source, status: "error", error}.
  function resultOf(data) {
    if (!data || typeof data !== "object" || Array.isArray(data) || data.source !== SOURCE) {
      return null;
    }
    if (data.status === "connected" && typeof data.email === "string" && data.email.indexOf("@") > 0) {
      return {status: "connected", email: data.email};
    }
    if (data.status === "error" && typeof data.error === "string" && CODE_PATTERN.test(data.error)) {
      return {status: "error", error: data.error};
    }
    return null;
  }

  // A connection that was not there when connecting started: another status, account or connection time.
  function isNewConnection(now, before) {
    if (!now || now.status !== "connected" || !now.email) {
      return false;
    }
    if (!before) {
      return true;
    }
    return before.status !== "connected" || before.email !== now.email || before.connected_at !== now.connected_at;
  }

  var pending = null; // {popup, promise, cancel}: one connect at a time per page

  function connectGmail(options) {
    var config = settings(options);
    if (pending && pending.popup && !pending.popup.closed) {
      try {
        pending.popup.focus();
      } catch (ignored) {
        /* a severed handle may refuse */
      }
      return pending.promise;
    }
    if (pending) {
      pending.cancel(); // an earlier connect still asking the API after losing contact: this one replaces it
    }
    var pollMs = options.pollMs || 250;
    var statusPollMs = options.statusPollMs || 1500;
    var fallbackMs = options.fallbackMs || 10 * 60 * 1000;
    var width = 500;
    var height = 640;
    var features =
      options.popupFeatures ||
      "popup,width=" +
        width +
        ",height=" +
        height +
        ",left=" +
        Math.max(0, Math.round((screen.availWidth - width) / 2)) +
        ",top=" +
        Math.max(0, Math.round((screen.availHeight - height) / 2));

    // Synchronously, in the click: later would be a popup the browser blocks.
    var popup = window.open("", options.popupName || "outsales-gmail-connect", features);
    if (!popup) {
      return Promise.reject(GmailError("popup_blocked"));
    }
    try {
      popup.document.title = "Connecting Gmail";
      popup.document.body.style.font = "16px system-ui, sans-serif";
      popup.document.body.style.margin = "3rem";
      popup.document.body.textContent = "Opening Google's sign-in page…";
    } catch (ignored) {
      /* a reused window of another origin: nothing to write */
    }

    var entry = {popup: popup, promise: null, cancel: null};
    entry.promise = new Promise(function (resolve, reject) {
      var done = false;
      var closedTimer = null;
      var statusTimer = null;
      var before = null; // the status when connecting started
      var started = Date.now();
      var fallingBack = false;

      function cleanup() {
        done = true;
        window.removeEventListener("message", onMessage);
        if (closedTimer) {
          clearInterval(closedTimer);
        }
        if (statusTimer) {
          clearTimeout(statusTimer);
        }
        if (options.signal) {
          options.signal.removeEventListener("abort", onAbort);
        }
        if (pending === entry) {
          pending = null;
        }
      }

      function succeed(email, via) {
        if (done) {
          return;
        }
        cleanup();
        resolve({email: email, via: via});
      }

      function fail(error, closePopup) {
        if (done) {
          return;
        }
        cleanup();
        if (closePopup) {
          try {
            popup.close();
          } catch (ignored) {
            /* already gone */
          }
        }
        reject(error);
      }

      function onMessage(event) {
        if (done || event.origin !== config.apiOrigin || event.source !== popup) {
          return;
        }
        var result = resultOf(event.data);
        if (!result) {
          return;
        }
        try {
          popup.close(); // the callback page closes itself; this is for browsers that refuse it
        } catch (ignored) {
          /* already gone */
        }
        if (result.status === "connected") {
          succeed(result.email, "message");
        } else {
          fail(GmailError(result.error), false);
        }
      }

      function onAbort() {
        fail(GmailError("aborted"), true);
      }
      entry.cancel = function () {
        fail(GmailError("aborted"), false);
      };

      function askStatus() {
        statusTimer = null;
        if (done) {
          return;
        }
        request(config, "GET", "/gmail/status").then(
          function (now) {
            if (done) {
              return;
            }
            if (isNewConnection(now, before)) {
              succeed(now.email, "status");
            } else if (Date.now() - started > fallbackMs) {
              fail(GmailError("popup_closed"), false);
            } else {
              statusTimer = setTimeout(askStatus, statusPollMs);
            }
          },
          function (error) {
            if (done) {
              return;
            }
            if (error.status === 401 || error.status === 403) {
              fail(error, false); // signed out meanwhile: asking again will not help
            } else {
              statusTimer = setTimeout(askStatus, statusPollMs);
            }
          }
        );
      }

      function watchClosed() {
        if (done || !popup.closed || fallingBack) {
          return;
        }
        // Closed without a result: closed by the person, or the link was cut (COOP). Ask the API.
        fallingBack = true;
        clearInterval(closedTimer);
        closedTimer = null;
        if (typeof options.onFallback === "function") {
          try {
            options.onFallback();
          } catch (ignored) {
            /* the caller's problem */
          }
        }
        askStatus();
      }

      if (options.signal) {
        if (options.signal.aborted) {
          onAbort();
          return;
        }
        options.signal.addEventListener("abort", onAbort);
      }
      window.addEventListener("message", onMessage);

      // The status before, to tell a new connection from the one that was already there.
      var baseline = request(config, "GET", "/gmail/status").then(
        function (status) {
          before = status;
        },
        function () {
          before = null;
        }
      );
      Promise.all([request(config, "POST", "/gmail/connect", true), baseline]).then(
        function (answers) {
          if (done) {
            return;
          }
          var url = answers[0] && answers[0].authorization_url;
          if (typeof url !== "string" || !/^https?:\/\//.test(url)) {
            fail(GmailError("exchange_failed", "OutSales did not give a sign-in address. Try again."), true);
            return;
          }
          if (popup.closed) {
            fail(GmailError("popup_closed"), false);
            return;
          }
          popup.location.href = url;
          closedTimer = setInterval(watchClosed, pollMs);
        },
        function (error) {
          fail(error, true);
        }
      );
    });
    pending = entry;
    return entry.promise;
  }

  function client(options) {
    function withOptions(extra) {
      var merged = {};
      var key;
      for (key in options) {
        if (Object.prototype.hasOwnProperty.call(options, key)) {
          merged[key] = options[key];
        }
      }
      for (key in extra || {}) {
        if (Object.prototype.hasOwnProperty.call(extra, key)) {
          merged[key] = extra[key];
        }
      }
      return merged;
    }
    settings(options); // fail early on a bad configuration
    return {
      connectGmail: function (extra) {
        return connectGmail(withOptions(extra));
      },
      getStatus: function () {
        return getStatus(options);
      },
      disconnect: function () {
        return disconnect(options);
      },
      listEmails: function (extra) {
        return listEmails(withOptions(extra));
      },
    };
  }

  return {
    SOURCE: SOURCE,
    client: client,
    connectGmail: connectGmail,
    getStatus: getStatus,
    disconnect: disconnect,
    listEmails: listEmails,
    describeError: describeError,
    isCallbackMessage: function (data) {
      return resultOf(data) !== null;
    },
  };
});
