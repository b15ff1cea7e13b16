/**
 * Type declarations of outsales-gmail.js, the drop-in popup client of the OutSales Gmail integration.
 * How to use it: docs/popup-client.md. Shapes of the API's answers: docs/openapi.json (StatusView, EmailPage).
 *
 * As a classic <script> it defines the global `OutSalesGmail`; under CommonJS it is the module's export:
 *   /// <reference path="outsales-gmail.d.ts" />          (global)
 *   import OutSalesGmail = require("./outsales-gmail");   (CommonJS)
 */

declare namespace OutSalesGmail {
  /** Where the API is and how to sign requests to it. */
  interface ClientOptions {
    /** The API's base URL; its origin is the only one whose popup messages are believed. */
    apiUrl: string;
    /** The web app's JWT (or a promise of it), sent as `Authorization: Bearer`. */
    getToken: () => string | PromiseLike<string>;
    /** Defaults to `window.fetch`. */
    fetch?: typeof fetch;
  }

  interface ConnectOptions {
    /** The popup window's name (default "outsales-gmail-connect"): a second click focuses the same popup. */
    popupName?: string;
    /** `window.open` features (default: a 500×640 popup centred on the screen). */
    popupFeatures?: string;
    /** How often to look at `popup.closed`, in ms (default 250). */
    pollMs?: number;
    /** How often to ask `GET /gmail/status` once contact with the popup is lost, in ms (default 1500). */
    statusPollMs?: number;
    /** How long to keep asking, in ms (default 10 minutes: the life of a sign-in link). */
    fallbackMs?: number;
    /** Aborting rejects the connect with code "aborted" and closes the popup. */
    signal?: AbortSignal;
    /** Called once when the popup reports closed without a result (closed by the person, or a COOP cut the link). */
    onFallback?: () => void;
  }

  interface ListEmailsOptions {
    /** 1 to 100 (default 50). */
    limit?: number;
    /** `next_cursor` of the previous page. */
    cursor?: string;
  }

  /** How `connectGmail` resolves: the connected address, and whether the popup told us or the status did. */
  interface ConnectResult {
    email: string;
    via: "message" | "status";
  }

  /** What the callback page posts to the opener (to the configured front-end origin only). */
  type CallbackMessage =
    | { source: "outsales-gmail"; status: "connected"; email: string }
    | { source: "outsales-gmail"; status: "error"; error: CallbackErrorCode };

  /** The callback page's error codes. */
  type CallbackErrorCode =
    | "access_denied"
    | "scope_missing"
    | "state_invalid"
    | "browser_mismatch"
    | "exchange_failed"
    | "gmail_unavailable";

  /** The client's own codes, the callback's, or the API's `error` field (for example "unauthorized"). */
  type ErrorCode =
    | "popup_blocked"
    | "popup_closed"
    | "aborted"
    | "network_error"
    | "unauthorized"
    | CallbackErrorCode
    // eslint-disable-next-line @typescript-eslint/ban-types
    | (string & {});

  /** Every rejection: `code` to branch on, `status` when an HTTP answer caused it. */
  interface GmailError extends Error {
    name: "OutSalesGmailError";
    code: ErrorCode;
    status?: number;
  }

  /** GET /gmail/status (StatusView in docs/openapi.json). */
  interface Status {
    status: "connected" | "disconnected" | "needs_reconnect";
    email?: string | null;
    connected_at?: string | null;
    last_error?: string | null;
    reason?: string | null;
  }

  type EmailStatus = "EMAIL_READY" | "SENDING" | "SENT" | "REPLIED" | "AUTO_REPLIED" | "BOUNCED" | "FAILED";

  /** One approved email (EmailView in docs/openapi.json); times are ISO 8601 strings. */
  interface Email {
    activity_id: string;
    agent_id: string;
    status: EmailStatus;
    reason: string | null;
    reason_message: string | null;
    to_email: string;
    subject: string;
    gmail_message_id: string | null;
    gmail_thread_id: string | null;
    message_id: string | null;
    in_reply_to_activity_id: string | null;
    approved_at: string;
    sent_at: string | null;
    replied_at: string | null;
    auto_replied_at?: string | null;
    bounced_at?: string | null;
    updated_at: string;
    /** While the email waits its turn (the mailbox's pace, Gmail's rate limit): when it is due to go out. */
    not_before?: string | null;
    /** mailbox_pace, hourly_limit, gmail_rate_limit, earlier_email_not_sent or in_line */
    wait_reason?: string | null;
    /** Parked, but an earlier attempt may already be in the prospect's mailbox (Gmail could not confirm it) */
    delivery_unconfirmed?: boolean;
  }

  interface EmailPage {
    items: Email[];
    next_cursor?: string | null;
  }

  /** The same calls with the options bound once. */
  interface Client {
    /** Call it in the click handler itself (not after an await), or the browser blocks the popup. */
    connectGmail(options?: ConnectOptions): Promise<ConnectResult>;
    getStatus(): Promise<Status>;
    disconnect(): Promise<Status>;
    listEmails(options?: ListEmailsOptions): Promise<EmailPage>;
  }

  /** The `source` of the callback page's messages. */
  const SOURCE: "outsales-gmail";
  /** Checks the options at once (throws TypeError on a missing apiUrl or getToken). */
  function client(options: ClientOptions): Client;
  function connectGmail(options: ClientOptions & ConnectOptions): Promise<ConnectResult>;
  function getStatus(options: ClientOptions): Promise<Status>;
  function disconnect(options: ClientOptions): Promise<Status>;
  function listEmails(options: ClientOptions & ListEmailsOptions): Promise<EmailPage>;
  /** Words for a person, for any error code. */
  function describeError(code: ErrorCode): string;
  /** Is this a message of the callback page, in exactly its shape? */
  function isCallbackMessage(data: unknown): data is CallbackMessage;
}

export = OutSalesGmail;
export as namespace OutSalesGmail;
