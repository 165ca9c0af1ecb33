/**
 * What a screen reader hears when messages arrive (a polite live region): the newest one someone
 * else wrote, with its author; one's own are not read back. Null when there is nothing to say.
 */
export function announcementOf(appended: readonly { authorId: string; author: { username: string }; content: string }[], me: string | undefined): string | null {
  const last = appended.findLast((m) => m.authorId !== me);
  return last ? `${last.author.username}: ${last.content}` : null;
}
