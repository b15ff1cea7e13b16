/*
 * The local demo page: a workspace signs in with a locally minted JWT, then uses the Gmail card (through
 * outsales-gmail.js) and watches its emails. Configuration comes from the demo server's /local-config.json
 * (api_url, google_url, demo_url, frontend_origin). ?refresh=<ms> sets how often the card and the activity
 * list are refreshed (3000 by default).
 */
(function () {
  "use strict";

  var STATUS_WORDS = {
    EMAIL_READY: "Email Ready",
    SENDING: "Sending",
    SENT: "Sent",
    REPLIED: "Replied",
    AUTO_REPLIED: "Auto-reply",
    BOUNCED: "Bounced",
    FAILED: "Failed",
    CANCELLED: "Cancelled",
  };
  var SESSION_KEY = "outsales-demo-session";
  var params = new URLSearchParams(location.search);
  var refreshMs = Math.max(250, Number(params.get("refresh")) || 3000);

  var config = null;
  var session = null; // {workspaceId, userId, token, expiresAt}
  var gmail = null;
  var refreshTimer = null;
  var generation = 0; // bumped by every action: a refresh started before it must not paint over its result

  // What the card shows: the last known status, an action in progress, and a notice from the last action.
  var card = {status: null, busy: null, notice: null, abort: null, via: null};
  var emails = [];

  function $(id) {
    return document.getElementById(id);
  }

  function show(element, visible) {
    element.hidden = !visible;
  }

  function when(iso) {
    if (!iso) {
      return "";
    }
    var date = new Date(iso);
    return isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
  }

  // ---------- session (local only) ----------

  function mint(workspaceId, userId) {
    return fetch(config.api_url + "/_local/jwt", {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify({workspace_id: workspaceId, user_id: userId}),
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("The local stack refused to mint a token (HTTP " + response.status + ").");
        }
        return response.json();
      })
      .then(function (answer) {
        var lifetime = Number(answer.expires_in) || 3600;
        session = {workspaceId: workspaceId, userId: userId, token: answer.token, expiresAt: Date.now() + lifetime * 1000};
        sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
        return session.token;
      });
  }

  function getToken() {
    if (!session) {
      return Promise.reject(new Error("Not signed in."));
    }
    if (Date.now() > session.expiresAt - 60 * 1000) {
      return mint(session.workspaceId, session.userId);
    }
    return Promise.resolve(session.token);
  }

  function signIn(workspaceId) {
    $("sign-in").disabled = true;
    show($("sign-in-error"), false);
    return mint(workspaceId, "u_demo")
      .then(startApp)
      .catch(function (error) {
        $("sign-in-error").textContent = error.message || String(error);
        show($("sign-in-error"), true);
      })
      .then(function () {
        $("sign-in").disabled = false;
      });
  }

  function signOut() {
    if (card.abort) {
      card.abort.abort();
    }
    clearInterval(refreshTimer);
    refreshTimer = null;
    session = null;
    sessionStorage.removeItem(SESSION_KEY);
    card = {status: null, busy: null, notice: null, abort: null, via: null};
    emails = [];
    show($("app"), false);
    show($("session"), false);
    show($("sign-in-panel"), true);
  }

  function startApp() {
    gmail = OutSalesGmail.client({apiUrl: config.api_url, getToken: getToken});
    $("session-workspace").textContent = session.workspaceId;
    show($("session"), true);
    show($("sign-in-panel"), false);
    show($("app"), true);
    renderCard();
    renderSnippets();
    refresh();
    clearInterval(refreshTimer);
    refreshTimer = setInterval(function () {
      if (document.visibilityState === "visible") {
        refresh();
      }
    }, refreshMs);
  }

  // ---------- the Gmail card and the wizard's step ----------

  function renderCard() {
    var status = card.status;
    var state = status ? status.status : "loading";
    var element = $("gmail-card");
    element.dataset.state = state;
    element.dataset.busy = card.busy || "";
    if (card.via) {
      element.dataset.connectVia = card.via;
    }

    var badge = {connected: "Connected", needs_reconnect: "Needs reconnecting", disconnected: "Not connected"}[state];
    $("gmail-badge").textContent = badge || "Loading…";
    $("gmail-address").textContent = status && status.email && state !== "disconnected" ? status.email : "";

    var detail = "";
    if (state === "connected") {
      detail = "Your agents send from this address" + (status.connected_at ? " (connected " + when(status.connected_at) + ")." : ".");
    } else if (state === "needs_reconnect") {
      detail = status.last_error || "OutSales lost access to this Gmail account. Reconnect it to resume sending.";
    } else if (state === "disconnected") {
      detail = status.last_error || "Connect Gmail so your agents can send follow-up emails from your address.";
    }
    $("gmail-detail").textContent = detail;

    var progress = {
      connecting: "Waiting for Google… Finish in the Google window.",
      waiting:
        "Lost contact with the Google window. If it is still open, finish there: this card updates once Gmail is " +
        "connected. If you closed it, click Cancel.",
      disconnecting: "Disconnecting…",
    }[card.busy];
    $("gmail-progress").textContent = progress || "";
    show($("gmail-progress"), Boolean(progress));

    $("gmail-error").textContent = card.notice ? card.notice.text : "";
    if (card.notice) {
      $("gmail-error").dataset.code = card.notice.code;
    } else {
      delete $("gmail-error").dataset.code;
    }
    show($("gmail-error"), Boolean(card.notice));

    var busy = Boolean(card.busy);
    show($("gmail-connect"), state === "disconnected");
    show($("gmail-reconnect"), state === "needs_reconnect");
    show($("gmail-disconnect"), state === "connected" || state === "needs_reconnect");
    show($("gmail-cancel"), card.busy === "connecting" || card.busy === "waiting");
    ["gmail-connect", "gmail-reconnect", "gmail-disconnect", "wizard-connect"].forEach(function (id) {
      $(id).disabled = busy;
    });

    // The onboarding step: Connect until Gmail is connected, then a green checkmark.
    var connected = state === "connected";
    show($("wizard-connect"), !connected);
    show($("wizard-check"), connected);
    $("wizard-connect").textContent = state === "needs_reconnect" ? "Reconnect" : "Connect";
  }

  function applyStatus(status, started) {
    if (started !== undefined && started !== generation) {
      return; // an action finished meanwhile: its result is newer
    }
    card.status = status;
    renderCard();
    renderSnippets();
  }

  function refreshStatus() {
    var started = generation;
    return gmail.getStatus().then(
      function (status) {
        applyStatus(status, started);
      },
      function (error) {
        if (error.code === "unauthorized" || error.status === 401) {
          signOut();
        }
      }
    );
  }

  function connect() {
    // Called in the click itself: connectGmail opens the popup before anything asynchronous.
    if (card.busy) {
      return;
    }
    var controller = new AbortController();
    generation += 1;
    card.busy = "connecting";
    card.notice = null;
    card.abort = controller;
    var pendingConnect = gmail.connectGmail({
      signal: controller.signal,
      onFallback: function () {
        card.busy = "waiting";
        renderCard();
      },
    });
    renderCard();
    pendingConnect
      .then(function (result) {
        card.via = result.via;
        card.status = {status: "connected", email: result.email};
      })
      .catch(function (error) {
        card.notice = error.code === "aborted" ? null : {code: error.code, text: OutSalesGmail.describeError(error.code)};
      })
      .then(function () {
        generation += 1;
        card.busy = null;
        card.abort = null;
        renderCard();
        return refreshStatus();
      });
  }

  function cancelConnect() {
    if (card.abort) {
      card.abort.abort();
    }
  }

  function disconnect() {
    generation += 1;
    card.busy = "disconnecting";
    card.notice = null;
    renderCard();
    gmail
      .disconnect()
      .then(
        function (status) {
          card.status = status;
        },
        function (error) {
          card.notice = {code: error.code, text: error.message || "Gmail could not be disconnected. Try again."};
        }
      )
      .then(function () {
        generation += 1;
        card.busy = null;
        renderCard();
        refreshEmails();
      });
  }

  // ---------- the activity list ----------

  function renderEmails() {
    var rows = $("activity-rows");
    rows.replaceChildren();
    emails.forEach(function (email) {
      var row = document.createElement("tr");
      row.dataset.activityId = email.activity_id;
      row.dataset.status = email.status;

      var to = document.createElement("td");
      to.textContent = email.to_email;
      var subject = document.createElement("td");
      subject.textContent = email.subject;

      var status = document.createElement("td");
      var pill = document.createElement("span");
      pill.className = "pill " + String(email.status).toLowerCase();
      pill.textContent = STATUS_WORDS[email.status] || email.status;
      status.append(pill);
      if (email.reason_message && (email.status === "EMAIL_READY" || email.status === "FAILED")) {
        var reason = document.createElement("span");
        reason.className = "reason";
        reason.textContent = email.reason_message;
        status.append(reason);
      }

      var at = document.createElement("td");
      var moment =
        email.replied_at || email.auto_replied_at || email.bounced_at || email.sent_at || email.updated_at || email.approved_at;
      at.textContent = when(moment);

      row.append(to, subject, status, at);
      rows.append(row);
    });
    show($("activity-empty"), emails.length === 0);
    show($("activity-table"), emails.length > 0);
  }

  function refreshEmails() {
    return gmail.listEmails({limit: 50}).then(
      function (page) {
        emails = (page && page.items) || [];
        show($("activity-error"), false);
        renderEmails();
        renderSnippets();
      },
      function (error) {
        $("activity-error").textContent = "The activity list could not be loaded: " + (error.message || error.code);
        show($("activity-error"), true);
      }
    );
  }

  function refresh() {
    if (!session) {
      return Promise.resolve();
    }
    return Promise.all([refreshStatus(), refreshEmails()]);
  }

  // ---------- how to drive the rest of the stack ----------

  function renderSnippets() {
    if (!session) {
      return;
    }
    var address = card.status && card.status.email ? card.status.email : "you@company.example";
    $("snippet-account").textContent =
      "curl -s -X POST " + config.google_url + "/_emulator/accounts -H 'Content-Type: application/json' \\\n" +
      "  -d '" + JSON.stringify({email: address, name: "Sam Seller"}) + "'";

    var activity = "act_demo_" + Date.now().toString(36);
    var message = {
      version: 1,
      workspace_id: session.workspaceId,
      activity_id: activity,
      agent_id: "ag_1",
      to: {email: "pat@prospect.example", name: "Pat Lee"},
      subject: "Following up",
      text: "Hi Pat,\nthanks for your time today.",
      approved_at: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    };
    if (!$("snippet-send").dataset.activity) {
      $("snippet-send").dataset.activity = activity;
      $("snippet-send").textContent = [
        ".venv/bin/python - <<'EOF'",
        "import json, boto3",
        'stack = json.load(open(".local/stack.json"))  # written by make dev',
        "sqs = boto3.client(",
        '    "sqs", endpoint_url=stack["aws_endpoint"], region_name=stack["aws_region"],',
        '    aws_access_key_id=stack["aws_access_key_id"], aws_secret_access_key=stack["aws_secret_access_key"],',
        ")",
        'sqs.send_message(QueueUrl=stack["send_queue_url"], MessageBody=json.dumps(' +
          JSON.stringify(message, null, 4).replace(/\n}$/, "\n})") + ")",
        "EOF",
      ].join("\n");
    }

    var sent = emails.filter(function (e) {
      return e.message_id && e.status === "SENT";
    });
    var last = sent[sent.length - 1];
    var reply = {
      from: "Pat Lee <pat@prospect.example>",
      subject: "Re: " + (last ? last.subject : "Following up"),
      text: "Sounds good, let's talk on Thursday.",
      in_reply_to: last ? last.message_id : "<Message-ID of a Sent email>",
    };
    $("snippet-reply").textContent =
      "curl -s -X POST " + config.google_url + "/_emulator/mailboxes/" + address + "/messages \\\n" +
      "  -H 'Content-Type: application/json' -d '" + JSON.stringify(reply).replace(/'/g, "'\\''") + "'\n" +
      "curl -s -X POST " + config.api_url + "/_local/schedule";
  }

  function copy(event) {
    var target = $(event.currentTarget.dataset.copy);
    var button = event.currentTarget;
    navigator.clipboard.writeText(target.textContent).then(
      function () {
        if (target.id === "snippet-send") {
          delete target.dataset.activity; // the next copy puts another email on the queue, not the same one again
          renderSnippets();
        }
        button.textContent = "Copied";
        setTimeout(function () {
          button.textContent = "Copy";
        }, 1500);
      },
      function () {
        var range = document.createRange();
        range.selectNodeContents(target);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
      }
    );
  }

  // ---------- wiring ----------

  function wire() {
    $("sign-in-form").addEventListener("submit", function (event) {
      event.preventDefault();
      signIn($("workspace-id").value.trim());
    });
    $("sign-out").addEventListener("click", signOut);
    $("wizard-connect").addEventListener("click", connect);
    $("gmail-connect").addEventListener("click", connect);
    $("gmail-reconnect").addEventListener("click", connect);
    $("gmail-cancel").addEventListener("click", cancelConnect);
    $("gmail-disconnect").addEventListener("click", function () {
      $("disconnect-dialog").returnValue = "";
      $("disconnect-dialog").showModal();
    });
    $("disconnect-dialog").addEventListener("close", function () {
      if ($("disconnect-dialog").returnValue === "disconnect") {
        disconnect();
      }
    });
    $("activity-refresh").addEventListener("click", refresh);
    Array.prototype.forEach.call(document.querySelectorAll("button.copy"), function (button) {
      button.addEventListener("click", copy);
    });
    window.addEventListener("focus", refresh);
  }

  function boot() {
    wire();
    var workspace = params.get("workspace");
    if (workspace) {
      $("workspace-id").value = workspace;
    }
    fetch("/local-config.json", {cache: "no-store"})
      .then(function (response) {
        return response.json();
      })
      .then(function (loaded) {
        config = loaded;
        Array.prototype.forEach.call(document.querySelectorAll("[data-config]"), function (element) {
          element.textContent = config[element.dataset.config];
        });
        var saved = null;
        try {
          saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
        } catch (ignored) {
          saved = null;
        }
        if (saved && saved.token && (!workspace || workspace === saved.workspaceId)) {
          session = saved;
          startApp();
        }
        document.body.dataset.ready = "true";
      })
      .catch(function () {
        $("sign-in-error").textContent = "This page needs the local stack's /local-config.json (run make dev).";
        show($("sign-in-error"), true);
      });
  }

  boot();
})();
