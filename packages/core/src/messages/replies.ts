import type { DmMessageItem, MessageItem } from "../model/index.ts";
import { AppError } from "../errors.ts";

/** How much of the replied-to message a reply keeps (grapheme clusters, as a person counts characters). */
export const EXCERPT_GRAPHEMES = 100;

/** Made at first use: the first Segmenter loads ICU's break rules, init time most cold starts never need. */
let segmenter: Intl.Segmenter | undefined;

export function excerptOf(content: string): string {
  let out = "";
  let n = 0;
  for (const { segment } of (segmenter ??= new Intl.Segmenter(undefined, { granularity: "grapheme" })).segment(content)) {
    if (n++ === EXCERPT_GRAPHEMES) break;
    out += segment;
  }
  return out;
}

/**
 * What a reply records of the message it answers, as it is now: later edits of the original do
 * not change a reply's excerpt. The original must be a message of the same conversation (it was
 * looked up there); anything else is a 400, as the contract says.
 */
export function replyRefOf(original: MessageItem | DmMessageItem | null | undefined, id: string) {
  if (!original) {
    const message = `${id} is not a message of this conversation.`;
    throw new AppError("invalid_request", message, { issues: [{ path: "replyTo", message }] });
  }
  return {
    messageId: original.messageId,
    authorId: original.authorId,
    authorUsername: original.authorUsername,
    authorCreatedAt: original.authorCreatedAt,
    ...(original.authorBot ? { authorBot: true } : {}),
    excerpt: excerptOf(original.content),
  };
}

/** A message id that could name a message (a ULID); anything else names none. */
export const couldBeMessageId = (id: string) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(id);
