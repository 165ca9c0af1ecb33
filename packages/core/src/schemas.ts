/**
 * The one set of request schemas, used by the routes (validation at the edge) and by the
 * web client (form checks before sending). Limits come from the API contract's "Rules".
 */
import * as v from "valibot";
import { AppError, type Issue } from "./errors.ts";
import { AUDIT_ACTIONS } from "./audit/actions.ts";
import { errorCatalogue, type ErrorBody, type ErrorCode } from "./errors.ts";
import type { Channel, DmMessage, Me, Message, Server, Upload, User, Webhook } from "./views.ts";

/**
 * Every string the API takes, wherever it comes from (a body, a query, a path, a WebSocket frame):
 * well-formed Unicode. JSON's `\uDC00` escape gives a lone UTF-16 surrogate, which UTF-8 cannot
 * hold: written out it becomes U+FFFD (the text altered), and where it survives it fails a reader
 * later (`encodeURIComponent` throws on it where a download link is built: issue 21). Refused here
 * (400 on its field) instead.
 * Every string schema below starts with this one; none calls `v.string` itself.
 */
const string = (what: string, notText = `${what} must be text.`) =>
  v.pipe(
    v.string(notText),
    v.check((s) => s.isWellFormed(), `${what} must be well-formed Unicode text (it holds a lone surrogate).`),
  );

/**
 * At most this many combining marks on one character (grapheme): "Zalgo" text stacks thousands on
 * one letter, which counts as one character yet draws over the lines around it. Ten is above any
 * script's real use (Vietnamese stacks two, fully pointed Hebrew five, Tibetan stacks about six;
 * an emoji sequence carries at most a few variation selectors). docs/decisions.md, "Well-formed text".
 */
export const MAX_MARKS_PER_GRAPHEME = 10;
const marks = /\p{M}/gu;
/** Made at first use: the first Segmenter loads ICU's break rules, init time most cold starts never need. */
let graphemes: Intl.Segmenter | undefined;
/** Whether some grapheme of `s` carries more than `MAX_MARKS_PER_GRAPHEME` combining marks. */
export function hasOverstackedMarks(s: string): boolean {
  // Most text has fewer marks in all than one grapheme may carry: no need to segment it.
  if ((s.match(marks)?.length ?? 0) <= MAX_MARKS_PER_GRAPHEME) return false;
  for (const { segment } of (graphemes ??= new Intl.Segmenter(undefined, { granularity: "grapheme" })).segment(s)) {
    if ((segment.match(marks)?.length ?? 0) > MAX_MARKS_PER_GRAPHEME) return true;
  }
  return false;
}
/** Text people read (names, labels, reasons, messages, file names): no grapheme stacked past the cap. */
const readable = (what: string) =>
  v.check((s: string) => !hasOverstackedMarks(s), `${what} cannot stack more than ${MAX_MARKS_PER_GRAPHEME} accents or marks on one character.`);

const text = (min: number, max: number, what: string) =>
  v.pipe(
    string(what),
    v.trim(),
    v.minGraphemes(min, min === 1 ? `${what} cannot be empty.` : `${what} must be at least ${min} characters.`),
    v.maxGraphemes(max, `${what} must be at most ${max} characters.`),
    readable(what),
  );

/**
 * Characters a name may not hold: controls (`\p{Cc}`: newlines, escapes), format characters
 * (`\p{Cf}`: bidi overrides and isolates that make "gnp.exe" read as "exe.png", zero-width spaces
 * and joiners that make two names look alike), and line/paragraph separators. The one exception
 * is the zero-width joiner inside an emoji sequence (👩‍💻), which is how such emoji are written.
 */
const emojiJoiner = /(?<=\p{Extended_Pictographic}\uFE0F?)\u200D(?=\p{Extended_Pictographic})/gu;
const invisibleOrControl = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
export const hasInvisibleOrControl = (s: string) => invisibleOrControl.test(s.replace(emojiJoiner, ""));

/** A name people see and compare: NFC (so "é" typed two ways is one name), then `text`, then no hidden characters. */
const name = (min: number, max: number, what: string) =>
  v.pipe(
    string(what),
    v.normalize("NFC"),
    text(min, max, what),
    v.check((s) => !hasInvisibleOrControl(s), `${what} cannot contain control, invisible or direction-changing characters.`),
  );

export const email = v.pipe(
  string("Email"),
  v.trim(),
  v.maxLength(254, "Email must be at most 254 characters."),
  v.email("Enter a valid email address."),
);
export const username = v.pipe(
  string("Username"),
  // The pattern below admits ASCII only, so NFC changes nothing that passes; normalizing first
  // keeps the rule "every name is NFC" true should the pattern ever widen.
  v.normalize("NFC"),
  v.regex(/^[A-Za-z0-9_.-]{2,32}$/, "Username must be 2–32 letters, digits, '_', '.' or '-'."),
);
export const password = v.pipe(
  string("Password"),
  v.minLength(8, "Password must be at least 8 characters."),
  v.maxLength(256, "Password must be at most 256 characters."),
);
export const serverName = name(2, 100, "Server name");
export const channelName = name(1, 100, "Channel name");

/** api.md "Sessions and safety": 4000 characters as a person counts them, and 16 KiB of UTF-8 (what the table stores). */
export const messageLimits = { graphemes: 4000, bytes: 16 * 1024 } as const;
export const messageContent = v.pipe(
  text(1, messageLimits.graphemes, "Message"),
  v.maxBytes(messageLimits.bytes, `Message must be at most ${messageLimits.bytes / 1024} KiB of text.`),
);

const wholeNumber = (min: number, max: number, what: string) =>
  v.pipe(
    v.number(`${what} must be a number.`),
    v.integer(`${what} must be a whole number.`),
    v.minValue(min, `${what} must be at least ${min}.`),
    v.maxValue(max, `${what} must be at most ${max}.`),
  );
export const expiresInSeconds = wholeNumber(60, 31_536_000, "Expiry");
export const maxUses = wholeNumber(1, 10_000, "Max uses");

/** Ids are ULIDs; anything else cannot name a thing, so it is refused before touching the table. */
// valibot's ulid() accepts either case; ours are minted upper-case, and only that form names a thing.
const idOf = (message: string) =>
  v.config(v.pipe(string("An id", message), v.ulid(message), v.check((s) => s === s.toUpperCase(), message)), { abortPipeEarly: true });
export const id = idOf("Not a valid id.");
/** Whether a string can be one of our ids; anything else names nothing (404 where an id names a thing). */
export const isId = (s: unknown): s is string => v.is(id, s);
/**
 * An id in a body or a frame: any string is accepted here, and the code that looks the thing up
 * answers `not_found` for one that cannot be ours (api.md: a malformed id is an unknown id),
 * checking with `isId` before any read, so no oversized string reaches DynamoDB as a key.
 */
const namedId = (what: string) => string(what);
export const inviteCode = v.pipe(string("An invite code"), v.regex(/^[A-Za-z0-9]{8,64}$/, "Not an invite code."));

/**
 * Path parameters, by the resource they name. A value that cannot be one of ours names nothing:
 * the routes answer 404 for it (never 400), before any table read.
 */
export const serverParams = v.object({ id });
export const channelParams = v.object({ id, cid: id });
export const channelMessageParams = v.object({ id, cid: id, mid: id });
export const memberParams = v.object({ id, userId: id });
export const serverInviteParams = v.object({ id, code: inviteCode });
export const serverPasswordParams = v.object({ id, pid: id });
export const inviteParams = v.object({ code: inviteCode });
export const dmParams = v.object({ id });
export const dmMessageParams = v.object({ id, mid: id });
/** `:emoji` is checked by the reaction functions (a bad emoji is a 400, not an unknown thing). */
export const channelReactionParams = v.object({ id, cid: id, mid: id, emoji: string("emoji") });
export const dmReactionParams = v.object({ id, mid: id, emoji: string("emoji") });

export const registerBody = v.object({ email, username, password });
export const loginBody = v.object({
  email: v.pipe(string("Email"), v.trim(), v.minLength(1, "Enter your email."), v.maxLength(254)),
  password: v.pipe(string("Password"), v.minLength(1, "Enter your password."), v.maxLength(256)),
});
export const changePasswordBody = v.object({
  currentPassword: v.pipe(string("Current password"), v.minLength(1, "Enter your current password."), v.maxLength(256)),
  newPassword: password,
});
/** A ban's reason, for the owner's own list: 0–512 characters (api.md "Sessions and safety"). */
export const banBody = v.object({
  reason: v.optional(
    v.nullable(v.pipe(string("Reason"), v.trim(), v.maxGraphemes(512, "Reason must be at most 512 characters."), readable("Reason"))),
  ),
});
/**
 * `X-Audit-Log-Reason`, once URL-decoded (api.md "Audit log"): 1–512 characters of readable text
 * on one line; an empty or all-space header is no reason.
 */
export const auditReason = v.pipe(
  string("X-Audit-Log-Reason"),
  v.trim(),
  v.maxGraphemes(512, "X-Audit-Log-Reason must be at most 512 characters."),
  readable("X-Audit-Log-Reason"),
  v.check((s) => !/[\p{Cc}\p{Zl}\p{Zp}]/u.test(s), "X-Audit-Log-Reason cannot contain control characters or line breaks."),
);
export const createServerBody = v.object({ name: serverName });
export const messageBody = v.object({ content: messageContent });
/** api.md "Idempotent sends": the client's key for one message, so a retry never posts twice. */
export const nonce = v.pipe(string("nonce"), v.regex(/^[A-Za-z0-9_-]{1,64}$/, "nonce must be 1–64 of A–Z, a–z, 0–9, '_' or '-'."));
/** `messageId` names a message: one that cannot be an id is an unknown one (404, conversations/readState.ts). */
export const readBody = v.object({ messageId: namedId("messageId") });

/** Ids in a body that name a thing of this conversation; a wrong one is the route's 400 (api.md "Replies", "Attachments"). */
const bodyId = (what: string) => v.pipe(string(what, `${what} must be an id.`), v.minLength(1, `${what} must be an id.`), v.maxLength(64, `${what} must be an id.`));

/**
 * Channels and categories (api.md "Roles, channels, moderation: routes"). A permission set on the
 * wire is a decimal string of the bits (it passes 2^53); Discord's sets fit 64 bits.
 */
export const permissionSet = (what: string) =>
  v.pipe(
    string(what, `${what} must be a decimal string of permission bits.`),
    v.regex(/^(0|[1-9][0-9]{0,19})$/, `${what} must be a decimal string of permission bits.`),
    // Checked even when the pattern failed (valibot runs the whole pipe): digits only then.
    v.check((s) => !/^[0-9]+$/.test(s) || BigInt(s) < 1n << 64n, `${what} must fit in 64 bits.`),
  );
export const channelTopic = v.nullable(text(0, 1024, "Topic"));
export const slowmodeSeconds = wholeNumber(0, 21_600, "slowmodeSeconds");
/** A category, or null (top level); an id that cannot be one names no category (404 where it is looked up). */
const parentRef = v.nullable(namedId("parentId"));
export const overwriteBody = v.object({
  type: v.picklist(["role", "member"], "type must be \"role\" or \"member\"."),
  allow: permissionSet("allow"),
  deny: permissionSet("deny"),
});
/** At most one overwrite per target and this many in all (Discord's cap on a channel's overwrites). */
export const MAX_OVERWRITES = 100;
export const createChannelBody = v.object({
  name: channelName,
  type: v.optional(v.picklist(["text", "category"], "type must be \"text\" or \"category\"."), "text"),
  parentId: v.optional(parentRef),
  topic: v.optional(channelTopic),
  overwrites: v.optional(
    v.pipe(
      v.array(v.object({ id: bodyId("An overwrite's id"), ...overwriteBody.entries }), "overwrites must be a list."),
      v.maxLength(MAX_OVERWRITES, `A channel can have at most ${MAX_OVERWRITES} overwrites.`),
      v.check((list) => new Set(list.map((o) => o.id)).size === list.length, "overwrites names one target twice."),
    ),
  ),
});
export const editChannelBody = v.object({
  name: v.optional(channelName),
  topic: v.optional(channelTopic),
  parentId: v.optional(parentRef),
  slowmodeSeconds: v.optional(slowmodeSeconds),
});
/** One transaction moves them all (at most 100 writes), so at most 100 a request. */
export const MAX_REORDER = 100;
export const reorderChannelsBody = v.pipe(
  v.array(v.object({ id: bodyId("id"), position: wholeNumber(0, 10_000, "position"), parentId: v.optional(parentRef) }), "The body must be a list of {id, position}."),
  v.minLength(1, "The list cannot be empty."),
  v.maxLength(MAX_REORDER, `At most ${MAX_REORDER} channels can be moved at once.`),
  v.check((list) => new Set(list.map((c) => c.id)).size === list.length, "The list names one channel twice."),
);
/**
 * Roles (api.md "Roles, channels, moderation: routes"): a name of 1–100 characters after trimming
 * (not unique), a colour as a 24-bit RGB number or null, permissions as a decimal set.
 */
export const roleName = name(1, 100, "Role name");
const roleColor = v.nullable(wholeNumber(0, 0xffffff, "color"));
const roleFields = {
  permissions: v.optional(permissionSet("permissions")),
  color: v.optional(roleColor),
  hoist: v.optional(v.boolean("hoist must be true or false.")),
  mentionable: v.optional(v.boolean("mentionable must be true or false.")),
};
export const createRoleBody = v.object({ name: roleName, ...roleFields });
export const editRoleBody = v.object({ name: v.optional(roleName), ...roleFields });
/** At most this many roles move in one request (a server holds at most 250). */
export const reorderRolesBody = v.pipe(
  v.array(v.object({ id: bodyId("id"), position: wholeNumber(0, 1000, "position") }), "The body must be a list of {id, position}."),
  v.minLength(1, "The list cannot be empty."),
  v.maxLength(250, "At most 250 roles can be moved at once."),
  v.check((list) => new Set(list.map((r) => r.id)).size === list.length, "The list names one role twice."),
);
export const roleParams = v.object({ id, roleId: id });
export const memberRoleParams = v.object({ id, userId: id, roleId: id });
/** `timeoutUntil`: an ISO date-time (at most 28 days ahead: checked against the clock in core), or null to end a timeout. */
export const editMemberBody = v.object({
  timeoutUntil: v.nullable(
    v.pipe(
      string("timeoutUntil"),
      v.isoTimestamp("timeoutUntil must be an ISO date and time, such as 2026-01-31T12:00:00Z."),
      v.check((s) => !Number.isNaN(Date.parse(s)), "timeoutUntil must be a real date and time."),
    ),
  ),
});
export const editServerBody = v.object({ name: v.optional(serverName) });
export const overwriteParams = v.object({ id, cid: id, targetId: id });

/**
 * A new message: `content` may be empty (or absent) only when files are attached; `replyTo` a
 * message of the same conversation; `attachments` 1–10 of the sender's unused uploads for it.
 */
export const sendMessageBody = v.pipe(
  v.object({
    content: v.optional(
      v.pipe(
        string("Message"),
        v.trim(),
        v.maxGraphemes(messageLimits.graphemes, `Message must be at most ${messageLimits.graphemes} characters.`),
        v.maxBytes(messageLimits.bytes, `Message must be at most ${messageLimits.bytes / 1024} KiB of text.`),
        readable("Message"),
      ),
      "",
    ),
    nonce: v.optional(nonce),
    replyTo: v.optional(bodyId("replyTo")),
    attachments: v.optional(
      v.pipe(
        v.array(bodyId("An attachment"), "attachments must be a list of upload ids."),
        v.minLength(1, "attachments cannot be empty: leave it out."),
        v.maxLength(10, "A message can carry at most 10 attachments."),
      ),
    ),
  }),
  v.forward(
    v.check((m) => m.content.length > 0 || (m.attachments?.length ?? 0) > 0, "Message cannot be empty."),
    ["content"],
  ),
);

/**
 * A file's name as people see it: 1–255 characters, no path separators, and none of the hidden
 * characters names may not hold (control, bidi, zero-width: a right-to-left override makes
 * "invoice\u202Egpj.exe" read as "invoiceexe.jpg").
 */
export const filename = v.pipe(
  string("filename"),
  v.minLength(1, "filename cannot be empty."),
  v.maxLength(255, "filename must be at most 255 characters."),
  v.check((s) => !/[/\\]/.test(s), "filename cannot contain / or \\."),
  v.check((s) => !hasInvisibleOrControl(s), "filename cannot contain control, invisible or direction-changing characters."),
  readable("filename"),
);

/** A file to upload: its name as the person sees it, its media type, its exact size in bytes. */
export const uploadBody = v.object({
  filename,
  contentType: v.pipe(
    string("contentType"),
    v.toLowerCase(),
    v.regex(/^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/, "contentType must be a media type such as image/png (no parameters)."),
  ),
  // The upper limit is the route's (413 payload_too_large, as the contract says), not a 400.
  size: v.pipe(v.number("size must be a number."), v.integer("size must be a whole number of bytes."), v.minValue(1, "size must be at least 1 byte.")),
});
export const useUploadBody = v.object({ uploadId: bodyId("uploadId") });
export const createInviteBody = v.object({
  maxUses: v.optional(v.nullable(maxUses)),
  expiresInSeconds: v.optional(v.nullable(expiresInSeconds)),
});
/** A server's join password: 8–256 characters, like an account's (api.md "Sessions and safety"). */
const joinPassword = v.pipe(
  string("Password"),
  v.minLength(1, "Enter a password."),
  v.minLength(8, "A join password must be at least 8 characters."),
  v.maxLength(256, "Password must be at most 256 characters."),
);
export const createPasswordBody = v.object({
  password: joinPassword,
  label: v.optional(v.nullable(text(1, 100, "Label"))),
  expiresInSeconds: v.optional(v.nullable(expiresInSeconds)),
});
export const joinByPasswordBody = v.object({
  name: v.pipe(string("Server name"), v.trim(), v.minLength(1, "Enter the server name."), v.maxLength(400)),
  password: v.pipe(string("Password"), v.minLength(1, "Enter the password."), v.maxLength(256)),
});
export const startDmBody = v.object({
  userId: namedId("userId"),
});

/** Notification settings (api.md "Notification settings"): a server's, a channel's, the DMs'. */
const notifyLevel = v.picklist(["all", "mentions", "nothing"], 'level must be "all", "mentions" or "nothing".');
const muted = v.boolean("muted must be true or false.");
export const serverNotifyBody = v.object({
  level: notifyLevel,
  muted,
  mutedUntil: v.optional(
    v.nullable(
      v.pipe(
        string("mutedUntil"),
        v.isoTimestamp("mutedUntil must be an ISO 8601 time, such as 2030-01-01T00:00:00.000Z."),
        v.check((s) => !Number.isNaN(Date.parse(s)), "mutedUntil must be a real date and time."),
      ),
    ),
  ),
});
export const channelNotifyBody = v.object({
  level: v.picklist(["default", "all", "mentions", "nothing"], 'level must be "default", "all", "mentions" or "nothing".'),
  muted,
});
export const dmsNotifyBody = v.object({ muted });

/** A browser's `PushSubscription` (api.md "Web Push"); whether the endpoint may be posted to is notifications/endpoints.ts's. */
export const MAX_ENDPOINT_LENGTH = 2048;
const endpoint = v.pipe(
  string("endpoint"),
  v.minLength(1, "endpoint is required."),
  v.maxLength(MAX_ENDPOINT_LENGTH, `endpoint must be at most ${MAX_ENDPOINT_LENGTH} characters.`),
  v.url("endpoint must be a URL."),
);
/** The browser's keys, unpadded base64url (as `PushSubscription.toJSON()` gives them; padding tolerated). */
const base64urlKey = (what: string, shape: RegExp, bytes: number) =>
  v.pipe(string(what), v.regex(shape, `${what} must be the browser's key: ${bytes} bytes, base64url.`));
export const pushSubscriptionBody = v.object({
  endpoint,
  keys: v.object(
    {
      // An uncompressed P-256 point (RFC 8291): 65 bytes, the first 0x04 ("B" then one of A–P).
      p256dh: base64urlKey("keys.p256dh", /^B[A-P][A-Za-z0-9_-]{85}=?$/, 65),
      auth: base64urlKey("keys.auth", /^[A-Za-z0-9_-]{22}(==)?$/, 16),
    },
    "keys must hold p256dh and auth.",
  ),
});
export const pushUnsubscribeBody = v.object({ endpoint });

/** Subscriptions name a channel, or a whole server (api.md "WebSocket: whole servers"): exactly one. */
const subscriptionFrame = <A extends string>(action: A) =>
  v.pipe(
    v.object(
      {
        action: v.literal(action),
        // Malformed ids are unknown ids (not_found), answered by the subscription code.
        channelId: v.optional(namedId("channelId")),
        serverId: v.optional(namedId("serverId")),
      },
      `${action} needs a channelId or a serverId.`,
    ),
    v.check((f) => (f.channelId === undefined) !== (f.serverId === undefined), `${action} needs a channelId or a serverId, not both.`),
  );
/** `typing` names a channel, or a direct conversation (docs/decisions.md, "People"): exactly one. */
const typingFrame = v.pipe(
  v.object(
    {
      action: v.literal("typing"),
      channelId: v.optional(namedId("channelId")),
      conversationId: v.optional(namedId("conversationId")),
    },
    "typing needs a channelId or a conversationId.",
  ),
  v.check((f) => (f.channelId === undefined) !== (f.conversationId === undefined), "typing needs a channelId or a conversationId, not both."),
);
/** A WebSocket frame from a client (api.md "WebSocket protocol"); API Gateway routes on `action`. */
export const clientFrame = v.variant(
  "action",
  [subscriptionFrame("subscribe"), subscriptionFrame("unsubscribe"), typingFrame, v.object({ action: v.literal("ping") })],
  "action must be subscribe, unsubscribe, typing or ping.",
);
export type ClientFrame = v.InferOutput<typeof clientFrame>;

/** The largest page each paged route serves: a client that wants as much as it can asks for these. */
export const pageLimits = { history: 100, changes: 500, dms: 100, invites: 100, reactors: 100, members: 100, search: 50 } as const;

/** A count in a query string, from 1 to `max`. */
const count = (name: string, max: number) =>
  v.pipe(
    string(name),
    v.regex(/^\d{1,4}$/, `${name} must be a whole number from 1 to ${max}.`),
    v.transform(Number),
    v.minValue(1, `${name} must be at least 1.`),
    v.maxValue(max, `${name} must be at most ${max}.`),
  );
const limit = (max: number, fallback: number) => v.optional(count("limit", max), String(fallback));

export const historyQuery = v.pipe(
  v.object({
    limit: limit(pageLimits.history, 50),
    before: v.optional(idOf("before must be a message id.")),
    after: v.optional(idOf("after must be a message id.")),
    around: v.optional(idOf("around must be a message id.")),
  }),
  v.check((q) => [q.before, q.after, q.around].filter(Boolean).length <= 1, "Use one of before, after and around."),
);
/** A bound of a message search: a message id, or an ISO date (search/query.ts turns it into one). */
const searchBound = (what: string) =>
  v.optional(
    v.pipe(
      string(what),
      v.check((s) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(s) || (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(s) && Number.isFinite(Date.parse(s))), `${what} must be a message id or an ISO date.`),
    ),
  );
/** api.md "Search": the filters both searches share; at least one of q, authorId, mentions, has. */
const searchFields = {
  q: v.optional(v.pipe(string("q"), v.minLength(1, "q cannot be empty."), v.maxLength(200, "q must be at most 200 characters."))),
  authorId: v.optional(idOf("authorId must be a user id.")),
  mentions: v.optional(idOf("mentions must be a user id.")),
  has: v.optional(v.picklist(["file", "image", "link"], "has must be file, image or link.")),
  before: searchBound("before"),
  after: searchBound("after"),
  limit: limit(pageLimits.search, 25),
  cursor: v.optional(idOf("cursor is not a search cursor.")),
};
type Filters = { q?: string | undefined; authorId?: string | undefined; mentions?: string | undefined; has?: string | undefined };
const someFilter = <T extends Filters>() => v.check<T, string>((f) => !!(f.q?.trim() || f.authorId || f.mentions || f.has), "Give at least one of q, authorId, mentions and has.");
const serverSearchFields = v.object({ ...searchFields, channelId: v.optional(idOf("channelId must be a channel id.")) });
const dmSearchFields = v.object({ ...searchFields, conversationId: v.optional(idOf("conversationId must be a conversation id.")) });
export const serverSearchQuery = v.pipe(serverSearchFields, someFilter<v.InferOutput<typeof serverSearchFields>>());
export const dmSearchQuery = v.pipe(dmSearchFields, someFilter<v.InferOutput<typeof dmSearchFields>>());
/**
 * A change feed's page (api.md "Change feeds"); the cursor itself is checked against its
 * conversation. Without `since`, `newest` also asks for the newest messages, read after the head.
 */
export const changesQuery = v.pipe(
  v.object({
    since: v.optional(v.pipe(string("since"), v.minLength(1, "since cannot be empty."), v.maxLength(200, "since is not a cursor."))),
    limit: limit(pageLimits.changes, 200),
    newest: v.optional(count("newest", pageLimits.history)),
  }),
  v.check((q) => q.since === undefined || q.newest === undefined, "Use since or newest, not both."),
);
export const searchQuery = v.object({
  q: v.pipe(string("q", "q is required."), v.trim(), v.minLength(1, "q cannot be empty."), v.maxLength(32, "q must be at most 32 characters.")),
});
/** GET /dms: api.md "Sessions and safety". */
/** GET /servers: `include=details` answers every server's details (`ServerDetail[]`, issue 27 item 3); without it, the servers as before. */
/**
 * One answer of `GET /servers?include=details` holds whole servers until their visible channels
 * reach this many (at most 500 more: a server's own limit): some 3.7 MB at most, under Lambda's
 * 6 MB answer (docs/performance.md, "Start-up"). An answer that reached it may have more: ask
 * again with `after` its last server.
 */
export const detailsPageChannels = 10_000;
export const serversQuery = v.object({
  include: v.optional(v.picklist(["details"], "include must be details.")),
  /** With `include=details`: the servers after this one (the previous answer's last), when that answer was full. */
  after: v.optional(idOf("after must be a server id.")),
});
export const dmsQuery = v.object({
  limit: limit(pageLimits.dms, 50),
  before: v.optional(idOf("before must be a conversation id.")),
});
/** GET /servers/:id/invites (the contract is silent: docs/decisions.md, "Paged invite lists"): newest first. */
export const invitesQuery = v.object({
  limit: limit(pageLimits.invites, 100),
  after: v.optional(inviteCode),
});
export const reactorsQuery = v.object({
  limit: limit(pageLimits.reactors, 25),
  after: v.optional(idOf("after must be a user id.")),
});
export const membersQuery = v.object({
  limit: limit(pageLimits.members, 100),
  after: v.optional(idOf("after must be a user id.")),
});

/** `GET /servers/:id/audit-log`: newest first; `before` an entry id; filters by action and by who acted. */
export const auditLogQuery = v.object({
  limit: limit(100, 50),
  before: v.optional(idOf("before must be an audit entry id.")),
  actionType: v.optional(v.picklist(AUDIT_ACTIONS, "actionType is not an audit action.")),
  userId: v.optional(idOf("userId must be a user id.")),
});
/** valibot issues → the contract's `issues` (dotted paths). */
export function toIssues(issues: readonly v.BaseIssue<unknown>[]): Issue[] {
  return issues.map((issue) => ({
    path: issue.path?.map((p) => String(p.key)).join(".") ?? "",
    message: issue.message,
  }));
}

/** Parse or throw the contract's 400. For edges without a framework validator (WebSocket frames). */
export function parse<S extends v.GenericSchema>(schema: S, input: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (!result.success) {
    throw new AppError("invalid_request", result.issues[0]?.message, { issues: toIssues(result.issues) });
  }
  return result.output;
}

/*
 * Integrations: webhooks and bots (api.md "Integrations"). The execute bodies are Discord's and
 * Slack's own: fields those clients send that Agorusta does not use (tts, flags, avatar_url,
 * blocks…) are accepted and ignored, as valibot's `object` drops unknown keys.
 */
export const webhookName = name(1, 80, "Webhook name");
export const webhookParams = v.object({ id, wid: id });
export const createWebhookBody = v.object({ name: webhookName });
export const editWebhookBody = v.object({ name: v.optional(webhookName), channelId: v.optional(bodyId("channelId")) });
/** The execute route's path: a webhook id that is not ours is a 404, a token of the wrong shape a 401 (checked by the route). */
export const executeWebhookParams = v.object({ wid: id, token: string("token") });
export const executeWebhookQuery = v.object({ wait: v.optional(v.picklist(["true", "false"], "wait must be true or false."), "false") });
/** Discord's `allowed_mentions`: which kinds of mention parse, and which users and roles by id. */
const allowedMentions = v.object({
  parse: v.optional(v.array(v.picklist(["everyone", "roles", "users"], "allowed_mentions.parse holds everyone, roles or users."))),
  users: v.optional(v.pipe(v.array(bodyId("A user")), v.maxLength(100, "At most 100 users."))),
  roles: v.optional(v.pipe(v.array(bodyId("A role")), v.maxLength(100, "At most 100 roles."))),
});
export type AllowedMentions = v.InferOutput<typeof allowedMentions>;
/** Text of an embed Agorusta shows as lines of the message (it draws no embeds). */
const embedText = v.optional(v.pipe(string("embed text"), v.maxLength(6000, "An embed's text must be at most 6000 characters.")));
const embed = v.object({
  title: embedText,
  description: embedText,
  url: embedText,
  fields: v.optional(v.pipe(v.array(v.object({ name: embedText, value: embedText })), v.maxLength(25, "An embed has at most 25 fields."))),
  footer: v.optional(v.object({ text: embedText })),
});
/** Discord's execute body (JSON, or `payload_json` of a multipart body). */
export const discordWebhookBody = v.object({
  content: v.optional(v.pipe(string("content"), v.maxLength(messageLimits.graphemes, `content must be at most ${messageLimits.graphemes} characters.`)), ""),
  username: v.optional(webhookName),
  avatar_url: v.optional(string("avatar_url")),
  allowed_mentions: v.optional(allowedMentions),
  embeds: v.optional(v.pipe(v.array(embed), v.maxLength(10, "At most 10 embeds."))),
});
export type DiscordWebhookBody = v.InferOutput<typeof discordWebhookBody>;
/** Slack's incoming-webhook body: `text` (or, as Slack's older clients send, attachments with a `fallback` or `text`). */
export const slackWebhookBody = v.object({
  text: v.optional(v.pipe(string("text"), v.maxLength(messageLimits.graphemes, `text must be at most ${messageLimits.graphemes} characters.`)), ""),
  username: v.optional(webhookName),
  attachments: v.optional(v.pipe(v.array(v.object({ fallback: embedText, pretext: embedText, text: embedText, title: embedText })), v.maxLength(20, "At most 20 attachments."))),
});
export type SlackWebhookBody = v.InferOutput<typeof slackWebhookBody>;
export const createBotBody = v.object({ username });
export const botParams = v.object({ botId: id });
export const serverBotParams = v.object({ id, botId: id });

/*
 * Answers (api.md "Conventions" and "Objects"), for the OpenAPI document (`GET /openapi.json`,
 * functions/src/http/openapi.ts). The routes build their answers with views.ts; each schema here
 * is checked below to describe exactly its view's type, so the two cannot drift apart.
 */
const shownText = v.string();
const when = v.pipe(v.string(), v.isoTimestamp());
/** The contract's error body: every failure of every route. */
export const errorBody = v.object({
  error: v.object({
    code: v.picklist(Object.keys(errorCatalogue) as ErrorCode[]),
    message: shownText,
    /** Only for `invalid_request`: which field, and what is wrong with it. */
    issues: v.optional(v.array(v.object({ path: shownText, message: shownText }))),
  }),
});
export const userObject = v.object({ id: shownText, username: shownText, createdAt: when, avatarUrl: v.nullable(shownText), bot: v.boolean() });
export const meObject = v.object({ ...userObject.entries, email: shownText });
export const serverObject = v.object({ id: shownText, name: shownText, ownerId: shownText, createdAt: when, iconUrl: v.nullable(shownText) });
/** A session's answer (register, login, a password change): its token and the account. */
export const sessionObject = v.object({ token: shownText, user: meObject });
/** `token` and `url` only where it was just created. */
export const webhookObject = v.object({
  id: shownText, serverId: shownText, channelId: shownText, name: shownText, avatarUrl: v.nullable(shownText), creatorId: shownText, createdAt: when,
  token: v.optional(shownText), url: v.optional(shownText),
});
export const botTokenObject = v.object({ token: shownText });
export const createdBotObject = v.object({ bot: userObject, token: shownText });
export const channelObject = v.object({
  id: shownText, serverId: shownText, name: shownText, createdAt: when, lastMessageId: v.nullable(shownText),
  type: v.picklist(["text", "category"]), parentId: v.nullable(shownText), position: v.number(), topic: v.nullable(shownText), slowmodeSeconds: v.number(),
  overwrites: v.array(v.object({ id: shownText, type: v.picklist(["role", "member"]), allow: shownText, deny: shownText })),
  /** The caller's permissions in it (decimal); events leave it out. */
  permissions: v.optional(shownText),
});
/** What a channel's and a direct message both carry beyond their conversation's ids. */
const messageFields = {
  id: shownText, authorId: shownText, author: userObject, content: shownText, createdAt: when, editedAt: v.nullable(when),
  revision: v.number(), nonce: v.nullable(shownText), mentions: v.array(shownText), mentionsEveryone: v.boolean(),
  replyTo: v.nullable(v.object({ id: shownText, author: userObject, excerpt: shownText })),
  reactions: v.array(v.object({ emoji: shownText, count: v.number(), me: v.boolean() })),
  attachments: v.array(v.object({ id: shownText, filename: shownText, contentType: shownText, size: v.number(), url: shownText, width: v.nullable(v.number()), height: v.nullable(v.number()) })),
};
export const messageObject = v.object({ ...messageFields, channelId: shownText, serverId: shownText, webhookId: v.nullable(shownText), mentionRoles: v.array(shownText) });
export const dmMessageObject = v.object({ ...messageFields, conversationId: shownText });
/** Where to PUT a file's bytes, with exactly `headers`, before `expiresAt`. */
export const uploadObject = v.object({ id: shownText, uploadUrl: shownText, method: v.literal("PUT"), headers: v.record(v.string(), shownText), expiresAt: when });
/** Discord's 429 body on the webhook executions (`retry_after` in seconds), which Discord's clients wait on. */
export const discordRateLimitBody = v.object({ message: shownText, retry_after: v.number(), global: v.boolean() });

/** True only when A and B are the same type. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compile-time only: each answer's schema describes its view's type exactly. */
const describesItsView: [
  Same<v.InferOutput<typeof errorBody>, ErrorBody>,
  Same<v.InferOutput<typeof userObject>, User>,
  Same<v.InferOutput<typeof meObject>, Me>,
  Same<v.InferOutput<typeof serverObject>, Server>,
  Same<v.InferOutput<typeof webhookObject>, Webhook>,
  Same<v.InferOutput<typeof channelObject>, Channel>,
  Same<v.InferOutput<typeof messageObject>, Message>,
  Same<v.InferOutput<typeof dmMessageObject>, DmMessage>,
  Same<v.InferOutput<typeof uploadObject>, Upload>,
] = [true, true, true, true, true, true, true, true, true];
void describesItsView;
