import { AppError } from "../errors.ts";
import { nowIso } from "../store/time.ts";
import { isConditionalFailure } from "../store/transactions.ts";

/**
 * The author's edit, stored with a conditional update (`patch`): a message deleted meanwhile
 * is 404, not resurrected by the update. Shared by channel messages and DMs.
 */
export async function saveEdit(
  message: { authorId: string },
  input: { userId: string; content: string },
  update: (changes: { content: string; editedAt: string }) => Promise<unknown>,
): Promise<{ content: string; editedAt: string }> {
  assertAuthor(message, input.userId, "edit");
  const changes = { content: input.content, editedAt: nowIso() };
  try {
    await update(changes);
  } catch (e) {
    if (isConditionalFailure(e)) throw new AppError("not_found", "No such message.");
    throw e;
  }
  return changes;
}

export function assertAuthor(message: { authorId: string }, userId: string, verb: "edit" | "delete") {
  if (message.authorId !== userId) throw new AppError("forbidden", `Only its author can ${verb} this message.`);
}

