/**
 * Message text as the small Markdown subset chat apps speak: **bold**, *italic*, ~~strike~~,
 * `code`, fenced code blocks, > quotes, ||spoilers||, bare http(s) links, @mentions and channel
 * links `<#channelId>` (the composer's `#` autocomplete writes them; autocomplete.ts).
 *
 * markdown-it parses (with raw HTML off and only the rules below on); its tokens become a small
 * tree of known node kinds, which `MessageContent.svelte` draws as elements with the text
 * interpolated. No HTML string is ever made or injected, so nothing typed can become markup:
 * what is not one of these nodes is text, and a link's address is an http(s) URL or no link.
 * No Svelte here: the unit tests import it directly.
 */
import MarkdownIt from "markdown-it";
import type { StateInline, Token } from "markdown-it";
import { roleCandidates, roleMentionAt } from "@agorusta/core/permissions";

export type InlineNode =
  | { type: "text"; text: string }
  | { type: "break" }
  | { type: "code"; text: string }
  | { type: "link"; href: string; text: string }
  | { type: "mention"; username: string; me: boolean }
  /** `@rolename` of a role the message mentions (`Message.mentionRoles`), drawn in the role's colour. */
  | { type: "role"; id: string; name: string; color: number | null }
  /** `<#id>` of a channel the reader can see, drawn as a link `#name` that opens it in the app. */
  | { type: "channel"; id: string; serverId: string; name: string }
  | { type: "strong" | "em" | "strike" | "spoiler"; children: InlineNode[] };

export type BlockNode =
  | { type: "paragraph"; children: InlineNode[] }
  | { type: "codeblock"; text: string; lang: string | null }
  | { type: "quote"; children: BlockNode[] };

export interface MentionContext {
  /** Whether `username` (as typed, any case) names someone of this conversation. */
  isMember: (username: string) => boolean;
  /** The reader's username: their own mentions are drawn apart. */
  me: string | null;
  /** `@everyone` counts (the server's owner wrote it). */
  everyone: boolean;
  /** The roles the message mentions (`Message.mentionRoles`, as the server's roles name them): matched as the API matched them. */
  roles?: readonly { id: string; name: string; color: number | null }[];
  /** A channel the reader can see, by id; null for one they cannot (or that is gone). */
  channel?: (id: string) => { name: string; serverId: string } | null;
}

const nobody: MentionContext = { isMember: () => false, me: null, everyone: false };

/** A channel the reader cannot see shows as this text: never its name, never a link. */
export const UNKNOWN_CHANNEL = "#unknown-channel";
const CHANNEL_LINK = /^<#([0-9A-HJKMNP-TV-Z]{26})>/;

/** The contract's username characters (`schemas.ts`), and `@everyone`. */
const MENTION = /^@([A-Za-z0-9_.-]{2,32})/;
const NAME_CHAR = /[A-Za-z0-9_.-]/;

const md = new MarkdownIt("default", { html: false, linkify: true, breaks: true, typographer: false });
// Only what chat needs. Off, among others: headings, lists, tables, rules, indented code (chat
// text is often indented), `[text](url)` links (a label can hide where a link goes), images,
// raw HTML and entities (`&lt;` shows as typed).
md.block.ruler.enableOnly(["fence", "blockquote", "paragraph"]);
md.inline.ruler.enableOnly(["text", "linkify", "newline", "escape", "backticks", "strikethrough", "emphasis"]);
md.inline.ruler2.enableOnly(["balance_pairs", "strikethrough", "emphasis", "fragments_join"]);
md.core.ruler.enableOnly(["normalize", "block", "inline", "linkify", "text_join"]);
// Links only where an address is written out with its scheme, and only http(s): no guessing
// that "file.txt" or "a@b.c" is a link, and no mailto:, ftp: or protocol-relative links.
md.linkify.set({ fuzzyLink: false, fuzzyEmail: false, fuzzyIP: false });
md.linkify.add("mailto:", null).add("ftp:", null).add("//", null);
md.validateLink = (url) => httpUrl(url) !== null;

// markdown-it's text rule stops only at its own markers; `|` (spoilers) is added to them, the
// rest is its list as it is (https://spec.commonmark.org/ and markdown-it's rules_inline/text).
const TERMINATORS = new Set([..."\n!#$%&*+-:<=>@[\\]^_`{}~|"].map((c) => c.charCodeAt(0)));
md.inline.ruler.at("text", (state: StateInline, silent: boolean) => {
  let pos = state.pos;
  while (pos < state.posMax && !TERMINATORS.has(state.src.charCodeAt(pos))) pos++;
  if (pos === state.pos) return false;
  if (!silent) state.pending += state.src.slice(state.pos, pos);
  state.pos = pos;
  return true;
});

/** `||hidden||`: the inside is parsed as inline Markdown of its own (its emphasis pairs stay inside). */
md.inline.ruler.after("backticks", "spoiler", (state: StateInline, silent: boolean) => {
  const start = state.pos;
  if (state.src.charCodeAt(start) !== 0x7c || state.src.charCodeAt(start + 1) !== 0x7c) return false;
  const end = state.src.indexOf("||", start + 2);
  if (end < 0 || end + 2 > state.posMax || state.src.slice(start + 2, end).trim() === "") return false;
  if (!silent) {
    const max = state.posMax;
    state.push("spoiler_open", "span", 1);
    state.pos = start + 2;
    state.posMax = end;
    state.md.inline.tokenize(state);
    state.push("spoiler_close", "span", -1);
    state.posMax = max;
  }
  state.pos = end + 2;
  return true;
});

/** `@name` of someone in the conversation (not the middle of an address like a@b.c). */
md.inline.ruler.after("spoiler", "mention", (state: StateInline, silent: boolean) => {
  const start = state.pos;
  if (state.src.charCodeAt(start) !== 0x40) return false;
  if (start > 0 && NAME_CHAR.test(state.src[start - 1]!)) return false;
  const match = MENTION.exec(state.src.slice(start, state.posMax));
  if (!match) return false;
  const context = (state.env as { mentions?: MentionContext }).mentions ?? nobody;
  const username = mentionedName(match[1]!, context);
  if (!username) return false;
  if (!silent) state.push("mention", "", 0).content = username;
  state.pos = start + 1 + username.length;
  return true;
});

/** `@rolename` of a role the message mentions: the longest of their names spelled there (permissions/roleMentions.ts). */
md.inline.ruler.before("mention", "role_mention", (state: StateInline, silent: boolean) => {
  const roles = (state.env as { mentions?: MentionContext }).mentions?.roles;
  if (!roles?.length || state.src.charCodeAt(state.pos) !== 0x40) return false;
  const role = roleMentionAt(state.src.slice(0, state.posMax), state.pos, roleCandidates(roles, "", true));
  if (!role) return false;
  if (!silent) state.push("role_mention", "", 0).content = role.id;
  state.pos += 1 + role.length;
  return true;
});

/** `<#channelId>`: a link to the channel if the reader can see it, else `UNKNOWN_CHANNEL` as text. */
md.inline.ruler.after("mention", "channel_link", (state: StateInline, silent: boolean) => {
  const start = state.pos;
  if (state.src.charCodeAt(start) !== 0x3c || state.src.charCodeAt(start + 1) !== 0x23) return false;
  const match = CHANNEL_LINK.exec(state.src.slice(start, state.posMax));
  if (!match) return false;
  if (!silent) state.push("channel_link", "", 0).content = match[1]!;
  state.pos = start + match[0].length;
  return true;
});

/** The name as written if it is a member's; else without trailing punctuation ("@bob."), if that is one. */
function mentionedName(written: string, context: MentionContext): string | null {
  for (let name = written; name.length >= 2; name = name.slice(0, -1)) {
    if (name === "everyone" ? context.everyone : context.isMember(name)) return name;
    if (!/[_.-]$/.test(name)) return null;
  }
  return null;
}

/** The URL if it is an absolute http(s) one. */
export function httpUrl(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

/**
 * A linked address as it is shown: as written, but with its host as the browser's address bar
 * shows one that is not ASCII, in punycode (`xn--…`), so that "аррӏе.com" (Cyrillic letters)
 * cannot pass for "apple.com" (issue 21). markdown-it would show a host written in punycode in
 * Unicode (it decodes it for display): that is undone too. The rest (path, query) shows as typed.
 */
export function shownAddress(text: string, href: string): string {
  const written = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/is.exec(text);
  if (!written) return text;
  const [, scheme, authority, rest] = written as unknown as [string, string, string, string];
  const at = authority.lastIndexOf("@");
  const host = authority.slice(at + 1);
  // The link goes to the href's host, as URL gives it: the ASCII (punycode) form.
  return /^[\x21-\x7e]*$/.test(host) ? text : `${scheme}${authority.slice(0, at + 1)}${new URL(href).host}${rest}`;
}

/** A message's text as blocks (paragraphs, code blocks, quotes). */
export function parseMessage(content: string, mentions: MentionContext = nobody): BlockNode[] {
  return blocks(md.parse(content, { mentions }), mentions);
}

/** One line of inline Markdown (a reply's excerpt): spoilers stay hidden, block syntax is text. */
export function parseExcerpt(content: string, mentions: MentionContext = nobody): InlineNode[] {
  const [line] = md.parseInline(content.replace(/\s*\n\s*/g, " "), { mentions });
  return inline(line?.children ?? [], mentions);
}

function blocks(tokens: Token[], mentions: MentionContext): BlockNode[] {
  const root: BlockNode[] = [];
  const stack: BlockNode[][] = [root];
  const top = () => stack.at(-1)!;
  for (const token of tokens) {
    switch (token.type) {
      case "blockquote_open": {
        const quote: BlockNode = { type: "quote", children: [] };
        top().push(quote);
        stack.push(quote.children);
        break;
      }
      case "blockquote_close":
        if (stack.length > 1) stack.pop();
        break;
      case "fence":
        top().push({ type: "codeblock", text: token.content.replace(/\n$/, ""), lang: token.info.trim() || null });
        break;
      case "inline":
        top().push({ type: "paragraph", children: inline(token.children ?? [], mentions) });
        break;
      // paragraph_open/close: the inline token between them is the paragraph.
    }
  }
  return root;
}

const WRAPPERS: Record<string, "strong" | "em" | "strike" | "spoiler"> = {
  strong_open: "strong",
  em_open: "em",
  s_open: "strike",
  spoiler_open: "spoiler",
};

function inline(tokens: Token[], mentions: MentionContext): InlineNode[] {
  const root: InlineNode[] = [];
  const stack: InlineNode[][] = [root];
  const add = (node: InlineNode) => {
    const into = stack.at(-1)!;
    const last = into.at(-1);
    // Neighbouring text joins into one node (one text node in the page, as typed).
    if (node.type === "text" && node.text === "") return;
    if (node.type === "text" && last?.type === "text") last.text += node.text;
    else into.push(node);
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const wrapper = WRAPPERS[token.type];
    if (wrapper) {
      const node = { type: wrapper, children: [] as InlineNode[] };
      add(node);
      stack.push(node.children);
    } else if (token.nesting === -1 && token.type !== "link_close") {
      if (stack.length > 1) stack.pop();
    } else if (token.type === "link_open") {
      // A linkified address: its text up to link_close is the address as written.
      let text = "";
      while (tokens[i + 1] && tokens[i + 1]!.type !== "link_close") text += tokens[++i]!.content;
      i++;
      const href = httpUrl(String(token.attrGet("href") ?? ""));
      add(href ? { type: "link", href, text: shownAddress(text, href) } : { type: "text", text });
    } else if (token.type === "code_inline") {
      add({ type: "code", text: token.content });
    } else if (token.type === "softbreak" || token.type === "hardbreak") {
      add({ type: "break" });
    } else if (token.type === "channel_link") {
      const channel = mentions.channel?.(token.content);
      add(channel ? { type: "channel", id: token.content, serverId: channel.serverId, name: channel.name } : { type: "text", text: UNKNOWN_CHANNEL });
    } else if (token.type === "role_mention") {
      const role = mentions.roles?.find((r) => r.id === token.content);
      if (role) add({ type: "role", id: role.id, name: role.name, color: role.color });
    } else if (token.type === "mention") {
      const me = token.content === "everyone" || token.content.toLowerCase() === mentions.me?.toLowerCase();
      add({ type: "mention", username: token.content, me });
    } else {
      // Text, and anything this list does not know: the characters as they came.
      add({ type: "text", text: token.content });
    }
  }
  return root;
}

/** Whether text names the reader (`@me`), when the message does not say whom it mentions. */
export function namesReader(content: string, username: string): boolean {
  const escaped = username.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");
  return new RegExp(`(^|[^A-Za-z0-9_.-])@${escaped}(?![A-Za-z0-9_-]|\\.[A-Za-z0-9_-])`, "i").test(content);
}
